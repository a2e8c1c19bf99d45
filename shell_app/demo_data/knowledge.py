"""The knowledge base of the demo data: an article per product and known problem, written as an
expert writes one (what the customer sees, then the steps), and customers' own descriptions of each
problem, so that tickets whose right article is known can be generated (the ranking evaluation,
benchmarks/kb_ranking.py)."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from . import vocabulary as v

# problem -> (what the article says the customer sees, the steps, how customers put it)
FIELD_NOTES: dict[str, tuple[str, list[str], list[str]]] = {
    "will not boot": ("No lights or fans when the power button is pressed; sometimes one short beep.",
                      ["Hold the power button for 30 seconds with the charger out", "Try the charger known to work",
                       "Reseat the memory and boot again"],
                      ["it is completely dead when I press the power button", "nothing happens when I switch it on",
                       "it won't start up at all, no lights"]),
    "battery drains in an hour": ("The charge falls from full to empty within an hour of light use.",
                                  ["Check battery health in the settings", "Close apps that keep the processor busy",
                                   "Replace the battery if its health is under 60%"],
                                  ["the charge runs out really fast", "it goes flat in an hour even when idle",
                                   "I have to plug it in all the time, the battery does not last"]),
    "screen flickers": ("The display flickers or shows lines, worse at low brightness or after waking.",
                        ["Set brightness to full and see if flicker stops", "Update the graphics driver",
                         "Reseat the display cable behind the panel"],
                        ["the picture keeps flashing on and off", "the display is flickering since the update",
                         "the screen blinks and shows lines"]),
    "keyboard keys stuck": ("Some keys do not register or repeat; often after a spill.",
                            ["Clean under the keys with compressed air", "Test the keys in the on-screen tester",
                             "Replace the keyboard assembly if keys stay dead"],
                            ["some of the letters do not type", "keys are sticky after I spilt tea",
                             "the space bar and a few buttons do nothing"]),
    "blue screen on start-up": ("Windows stops with a blue error screen while starting.",
                                ["Note the stop code on the blue screen", "Start in safe mode and remove the last update",
                                 "Run the memory diagnostic"],
                                ["it crashes with a blue error every time it starts",
                                 "I get a blue error page when switching on", "it keeps restarting with an error"]),
    "fans very loud": ("Fans run at full speed even when idle; the case is hot.",
                       ["Clean the dust from the vents and fans", "Check for a process using the processor",
                        "Renew the thermal paste on the processor"],
                       ["it is so noisy, like a hairdryer", "the fan roars all the time",
                        "it makes a loud whirring noise and gets hot"]),
    "no display output": ("The computer runs but no monitor shows a picture.",
                          ["Try another cable and monitor input", "Connect to the graphics card output, not the board",
                           "Reseat the graphics card"],
                          ["the monitor stays black although the computer is on", "I get no picture on my monitor",
                           "the screen says no signal"]),
    "cracked screen": ("Glass broken; touch may still work.",
                       ["Back up the phone if touch still works", "Fit a screen protector over cracks for safety",
                        "Replace the display assembly"],
                       ["I dropped it and the glass is smashed", "the front is shattered",
                        "there is a big crack across the glass"]),
    "does not charge": ("The battery does not charge from the cable; no charging icon.",
                        ["Clean lint out of the charging port", "Try a known good cable and plug",
                         "Replace the charging port"],
                        ["it won't take any charge when plugged in", "the charger does nothing",
                         "plugging it in does not charge it"]),
    "no mobile signal": ("No bars and no network; calls and data fail.",
                         ["Turn aeroplane mode on and off", "Reseat the SIM card",
                          "Reset the network settings"],
                         ["I cannot make calls, it says no service", "I have no bars anywhere",
                          "mobile data and calls stopped working"]),
    "camera app crashes": ("The camera app closes as soon as it opens or when taking a photo.",
                           ["Clear the camera app's cache", "Update the system software",
                            "Test in safe mode for a conflicting app"],
                           ["the camera closes when I try to take a photo", "I cannot take pictures, the app shuts",
                            "photos app crashes straight away"]),
    "touch screen unresponsive": ("Touches are ignored or land in the wrong place.",
                                  ["Remove the screen protector and clean the glass", "Restart and calibrate touch",
                                   "Replace the digitiser"],
                                  ["it does not react when I tap", "tapping does nothing on the display",
                                   "the touch stopped working"]),
    "stuck on logo": ("Start-up stops on the maker's logo and never reaches the home screen.",
                      ["Force restart with power and volume down", "Start in recovery and clear the cache",
                       "Reinstall the system software"],
                      ["it only shows the brand name when starting", "it never gets past the start screen",
                       "it freezes while starting up"]),
    "no picture but sound works": ("Sound plays but the panel stays dark.",
                                   ["Shine a torch at the screen to check the backlight", "Try another input",
                                    "Replace the backlight strips"],
                                   ["I can hear the programme but the picture is black", "sound is fine, the screen is dark",
                                    "no image, only audio"]),
    "smart apps do not load": ("Streaming apps show a spinner or an error.",
                               ["Check the network connection test", "Update the apps and the set's software",
                                "Reset the smart hub"],
                               ["Netflix and iPlayer won't open", "the streaming apps just spin",
                                "apps give an error about the connection"]),
    "remote not pairing": ("The remote control does not work or pair with the set.",
                           ["Replace the batteries", "Hold the pairing buttons near the set",
                            "Reset the remote"],
                           ["the clicker does nothing", "the controller stopped working with the TV",
                            "I cannot change channel with the remote"]),
    "no sound over HDMI": ("No audio when connected by HDMI; other inputs play.",
                           ["Use the HDMI ARC socket on both ends", "Turn on HDMI control in the TV settings",
                            "Try another HDMI cable"],
                           ["nothing comes out when connected to the telly", "no audio from the TV cable",
                            "it is silent with the TV"]),
    "subwoofer hums": ("A constant low hum from the subwoofer, even with nothing playing.",
                       ["Plug everything into the same wall socket", "Re-pair the subwoofer",
                        "Replace the subwoofer amplifier"],
                       ["there is a buzzing noise from the bass box", "a low drone all the time",
                        "the bass speaker makes a humming noise"]),
    "Bluetooth drops": ("The wireless connection to phones drops every few minutes.",
                        ["Forget the device and pair again", "Move the router away from the unit",
                         "Update the unit's firmware"],
                        ["music from my phone keeps cutting out", "the wireless link keeps disconnecting",
                         "streaming from my phone stops every few minutes"]),
    "disc not read": ("Discs spin but are not recognised.",
                      ["Clean the disc and try another", "Rebuild the console database",
                       "Replace the disc drive"],
                      ["games on disc won't play", "it says unrecognised disc",
                       "it does not recognise my blu-rays"]),
    "controller will not sync": ("The controller flashes and never connects.",
                                 ["Connect with the USB cable to pair", "Reset the controller with the pin button",
                                  "Update the controller firmware"],
                                 ["the joypad keeps flashing but never connects", "my gamepad won't connect",
                                  "the pad does not link to the console"]),
    "overheats and shuts down": ("Switches itself off after some time in use; the case is hot.",
                                 ["Give the console room to breathe", "Clean the vents",
                                  "Replace the thermal paste and fan"],
                                 ["it turns itself off when it gets hot", "it switches off after half an hour of play",
                                  "it gets really hot and shuts off"]),
    "lens error": ("The camera shows a lens error and the lens does not extend.",
                   ["Remove and refit the battery", "Clean the lens contacts", "Replace the lens unit"],
                   ["the zoom is stuck and it shows an error", "the lens won't come out",
                    "it says error when switching on"]),
    "memory card not recognised": ("The card is not read or asks to be formatted.",
                                   ["Try the card in a computer", "Format the card in the camera",
                                    "Clean the card slot contacts"],
                                   ["it says no card although there is one", "my SD card is not detected",
                                    "it cannot read the card"]),
    "drum does not spin": ("The drum stays still; water may remain inside.",
                           ["Check the door lock clicks", "Check the drive belt", "Replace the motor brushes"],
                           ["the laundry does not turn", "it fills but the barrel won't turn",
                            "clothes come out soaking wet, no spin"]),
    "leaks water": ("Water on the floor during a wash.",
                    ["Check the door seal for tears", "Tighten the inlet hose", "Clean the pump filter"],
                    ["there is a puddle under it after every wash", "water comes out on the kitchen floor",
                     "it is dripping during the cycle"]),
    "door locked": ("The door stays locked after the cycle ends.",
                    ["Wait two minutes for the lock to cool", "Drain the water through the pump filter",
                     "Replace the door interlock"],
                    ["I cannot open the door to get my washing out", "the door won't open after washing",
                     "the door is stuck shut"]),
    "not cooling": ("The fridge is warm; the compressor may run constantly.",
                    ["Check the thermostat setting", "Clean the condenser coils", "Check the door seals"],
                    ["everything inside is warm", "the food is going off, it is not cold",
                     "the fridge is not cold anymore"]),
    "ice build-up": ("Ice forms on the back wall; the freezer may not close.",
                     ["Defrost fully", "Check the defrost heater", "Replace the door gasket"],
                     ["the freezer is full of frost", "thick ice on the back of the fridge",
                      "there is too much ice in it"]),
    "water dispenser leaks": ("Water drips from the dispenser or pools below.",
                              ["Check the water line connection", "Replace the filter",
                               "Replace the dispenser valve"],
                              ["water drips from the tap on the door", "there is a puddle under the water tap",
                               "the water outlet keeps dripping"]),
    "keeps dropping Wi-Fi": ("Devices lose the wireless network every few minutes.",
                             ["Move the router away from metal and microwaves", "Change the wireless channel",
                              "Update the router firmware"],
                             ["the internet keeps cutting out", "the wifi disconnects all the time",
                              "my laptop loses the connection every few minutes"]),
    "firmware update failed": ("An update stopped part-way; the router restarts over and over.",
                               ["Hold reset for 30 seconds", "Load the firmware by recovery mode",
                                "Restore the settings from backup"],
                               ["the update went wrong and now it keeps restarting", "after the update it does not work",
                                "the upgrade failed half way"]),
    "devices go offline": ("Smart devices show as offline in the app.",
                           ["Restart the hub", "Bring the hub closer to the devices", "Re-pair the devices"],
                           ["my smart plugs say unavailable", "lights and sensors keep disconnecting",
                            "the app shows my devices as not connected"]),
    "voice control not responding": ("The hub does not react to voice commands.",
                                     ["Check the microphone is not muted", "Re-link the voice assistant account",
                                      "Reset the hub"],
                                     ["it ignores me when I speak", "talking to it does nothing",
                                      "the assistant does not answer"]),
}

OPENINGS = ["", "Hello, ", "Hi, ", "Please help: ", ""]
CLOSINGS = ["", " since yesterday.", " since the weekend.", " after the last update.", " and it is for work.",
            " for a week now.", "."]


def _body(problem: str, product: dict[str, Any]) -> str:
    symptoms, steps, _ = FIELD_NOTES[problem]
    return "\n".join([f"Symptom: {symptoms}", *(f"{n}. {step}" for n, step in enumerate(steps, 1))])


def articles(rng: random.Random, products: list[dict[str, Any]], now: dt.datetime):
    """An article for every product and every problem its kind is known for; tags and keywords as the
    monolith's editors set them."""
    rows, tag_links, keyword_links = [], [], []
    tag, keyword = _Interned("name"), _Interned("word")

    for product in products:
        for problem in v.CATEGORIES[product["category"]][1]:
            aid = len(rows) + 1
            created = now - dt.timedelta(days=rng.randrange(30, 900))
            rows.append(dict(id=aid, product_id=product["id"], title=f"{product['name']}: {problem}",
                             body=_body(problem, product), created_at=created,
                             updated_at=created + dt.timedelta(days=rng.randrange(0, 29))))
            for name in sorted({product["category"].lower(), product["manufacturer"].lower(), "troubleshooting"}):
                tag_links.append(dict(article_id=aid, tag_id=tag.id(name)))
            words = sorted({w.lower() for w in problem.replace("-", " ").split() if len(w) > 3})
            keyword_links.extend(dict(article_id=aid, keyword_id=keyword.id(w)) for w in words)
    return rows, tag.rows, tag_links, keyword.rows, keyword_links


class _Interned:
    """Rows of a lookup table (tags, keywords), one per distinct value, ids from 1 in order of first use."""

    def __init__(self, column: str):
        self.column = column
        self.rows: list[dict[str, Any]] = []
        self._ids: dict[str, int] = {}

    def id(self, value: str) -> int:
        if value not in self._ids:
            self._ids[value] = len(self.rows) + 1
            self.rows.append({"id": self._ids[value], self.column: value})
        return self._ids[value]


def ranking_cases(seed: int, products: list[dict[str, Any]], article_rows: list[dict[str, Any]],
                  count: int) -> list[dict[str, Any]]:
    """Tickets whose right article is known: a customer's own words for a problem of their product
    (sometimes naming the product, sometimes only its kind), and the article written for exactly that
    product and problem."""
    rng = random.Random(seed)
    by_key = {(a["product_id"], a["title"].split(": ", 1)[1]): a["id"] for a in article_rows}
    cases = []
    for n in range(count):
        product = rng.choice(products)
        problem = rng.choice(v.CATEGORIES[product["category"]][1])
        words = rng.choice(FIELD_NOTES[problem][2])
        thing = rng.choice([f"my {product['name']}", f"my {product['category'].lower()}",
                            f"the {product['name']}"])
        description = f"{rng.choice(OPENINGS)}{thing}: {words}{rng.choice(CLOSINGS)}".strip()
        cases.append({"n": n, "product_id": product["id"], "description": description[0].upper() + description[1:],
                      "article_id": by_key[(product["id"], problem)]})
    return cases

"""The fixed vocabulary the generator draws from: one country's locales, a product range, plans."""
from __future__ import annotations

LOCALES = [
    ("GB-LDN-N", "London North", "London"), ("GB-LDN-S", "London South", "London"),
    ("GB-LDN-E", "London East", "London"), ("GB-LDN-W", "London West", "London"),
    ("GB-MAN", "Manchester", "North West"), ("GB-LIV", "Liverpool", "North West"),
    ("GB-BHM", "Birmingham", "West Midlands"), ("GB-NOT", "Nottingham", "East Midlands"),
    ("GB-LDS", "Leeds", "Yorkshire"), ("GB-SHF", "Sheffield", "Yorkshire"),
    ("GB-NCL", "Newcastle", "North East"), ("GB-BRS", "Bristol", "South West"),
    ("GB-CDF", "Cardiff", "Wales"), ("GB-EDI", "Edinburgh", "Scotland"),
    ("GB-GLA", "Glasgow", "Scotland"), ("GB-BEL", "Belfast", "Northern Ireland"),
]

BRANDS = ["Penultimate", "Voltari", "Nordlight", "Kestrel", "Aurora"]

# category -> (model line names, typical problems)
CATEGORIES = {
    "Laptop": (["UltraBook 14", "WorkStation 16"],
               ["will not boot", "battery drains in an hour", "screen flickers", "keyboard keys stuck"]),
    "Desktop PC": (["Tower X", "Mini Cube"], ["blue screen on start-up", "fans very loud", "no display output"]),
    "Smartphone": (["Pulse 12", "Pulse Pro"], ["cracked screen", "does not charge", "no mobile signal", "camera app crashes"]),
    "Tablet": (["Slate 11"], ["touch screen unresponsive", "stuck on logo"]),
    "Television": (["Vista 55 OLED", "Vista 65 QLED"],
                   ["no picture but sound works", "smart apps do not load", "remote not pairing"]),
    "Sound System": (["SoundBar 500", "Home Theatre 7.1"], ["no sound over HDMI", "subwoofer hums", "Bluetooth drops"]),
    "Games Console": (["PlayBox 5"], ["disc not read", "controller will not sync", "overheats and shuts down"]),
    "Camera": (["Mirrorless M2"], ["lens error", "memory card not recognised"]),
    "Washing Machine": (["AquaWash 9kg"], ["drum does not spin", "leaks water", "door locked"]),
    "Refrigerator": (["FrostFree 350L"], ["not cooling", "ice build-up", "water dispenser leaks"]),
    "Home Router": (["MeshNet Trio"], ["keeps dropping Wi-Fi", "firmware update failed"]),
    "Smart Home Hub": (["HomeLink Hub"], ["devices go offline", "voice control not responding"]),
}

PLANS = [
    # code, name, monthly price (pence), max open tickets, categories covered (None: all)
    ("ESSENTIAL", "Essential Care", 799, 1, ["Smartphone", "Tablet", "Camera", "Home Router"]),
    ("HOME", "Home Entertainment", 1299, 2, ["Television", "Sound System", "Games Console", "Smart Home Hub"]),
    ("TECH", "Tech Protect", 1499, 2, ["Laptop", "Desktop PC", "Smartphone", "Tablet", "Home Router"]),
    ("APPLIANCE", "Appliance Cover", 1099, 2, ["Washing Machine", "Refrigerator"]),
    ("PREMIUM", "Premium Everything", 2999, 5, None),
]

FIRST_NAMES = [
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy", "Leo", "Lily",
    "Arthur", "Grace", "Muhammad", "Freya", "Oscar", "Emily", "Charlie", "Sophia", "Jacob", "Ella",
    "Thomas", "Rosie", "Aisha", "Priya", "Kwame", "Chloe", "Rhys", "Siobhan", "Callum", "Niamh",
    "Hamish", "Fatima", "Tomasz", "Agnieszka", "Dev", "Mei", "Yusuf", "Hannah",
]
LAST_NAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes",
    "Khan", "Ahmed", "Singh", "Murphy", "O'Brien", "MacDonald", "Campbell", "Kowalski", "Nowak", "Chen",
]
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane",
           "Queens Road", "King Street", "Green Lane", "Manor Road"]

FIXES = [
    "Replaced the faulty part and tested for an hour.", "Reinstalled firmware and restored settings.",
    "Cleaned and reseated connectors; fault no longer reproduces.", "Replaced power supply unit.",
    "Walked customer through configuration; working as designed.", "Swapped unit under warranty.",
]
REFUSAL_REASONS = ["Too far from current job", "Not confident with this model", "Slot clashes with training"]
TIME_OFF_REASONS = ["Annual leave", "Training course", "Sick leave", "Public holiday cover"]

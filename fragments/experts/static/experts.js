// Offer countdowns: each <time data-seconds-left> counts down once a second; at zero the offer is
// shown as expired (the server has re-offered it; the list refreshes itself every 15 s).
(function () {
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-seconds-left]").forEach(function (el) {
      if (!el.dataset.deadline) {
        el.dataset.deadline = String(now + 1000 * parseInt(el.dataset.secondsLeft, 10));
      }
      var left = Math.max(0, Math.round((parseInt(el.dataset.deadline, 10) - now) / 1000));
      el.textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "expired";
      el.classList.toggle("xp-expired", left === 0);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("DOMContentLoaded", tick);
})();

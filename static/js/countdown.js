/*
 * Seasons: a live countdown to a deadline instant.
 *
 *   <p data-countdown data-deadline="2023-04-04T18:00:00+00:00" [data-opens="…"]>…</p>
 *
 * shows "closes in 2 d 03:12:45" (or "opens in …" before data-opens), updated every second and
 * always computed from the instant itself, so a sleeping laptop or a changed time zone cannot
 * make it drift; after the deadline it shows "closed". It only informs: the server decides
 * whether a submission is in time. Plain ES2017, no libraries, no inline code.
 */
(function () {
  "use strict";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  // 187965000 ms -> "2 d 04:12:45"; below a day just "04:12:45".
  function span(ms) {
    var seconds = Math.floor(ms / 1000);
    var days = Math.floor(seconds / 86400);
    var rest = seconds % 86400;
    var clock =
      pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
    return days > 0 ? days + " d " + clock : clock;
  }

  function parse(value) {
    var date = value ? new Date(value) : null;
    return date && !isNaN(date.getTime()) ? date.getTime() : null;
  }

  function text(element, now) {
    var deadline = parse(element.getAttribute("data-deadline"));
    var opens = parse(element.getAttribute("data-opens"));
    if (deadline === null) {
      return null;
    }
    if (opens !== null && now < opens) {
      return "opens in " + span(opens - now);
    }
    // The window includes its last instant, so "closed" only once we are past it.
    if (now > deadline) {
      return "closed";
    }
    return "closes in " + span(deadline - now);
  }

  function tick(elements) {
    var now = Date.now();
    elements.forEach(function (element) {
      var value = text(element, now);
      if (value !== null && element.textContent !== value) {
        element.textContent = value;
        element.classList.toggle("countdown-closed", value === "closed");
      }
    });
  }

  function start() {
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-countdown]"));
    if (!elements.length) {
      return;
    }
    tick(elements);
    window.setInterval(function () {
      tick(elements);
    }, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.SeasonsCountdown = { span: span, text: text };
})();

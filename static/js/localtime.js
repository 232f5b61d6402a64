/*
 * Seasons: show every UTC instant also in the viewer's own time zone.
 *
 * The `when` template tag renders
 *   <span class="when"><time datetime="2023-04-04T18:00:00Z" data-local="datetime">…UTC</time></span>
 * and this script appends, right after each <time>,
 *   <span class="local-time" title="Asia/Kolkata"> · your time: Tue 4 Apr 2023, 23:30 GMT+5:30</span>
 * (only the date for data-local="date"). Running it twice adds nothing more.
 * Plain ES2017, no libraries, no inline code (safe under a strict Content-Security-Policy).
 */
(function () {
  "use strict";

  var LOCALE = "en-US"; // English month and weekday names, like the UTC text beside them.

  function zoneName() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function makeFormatter(withTime) {
    var options = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
    if (withTime) {
      options.hour = "2-digit";
      options.minute = "2-digit";
      options.hourCycle = "h23";
      options.timeZoneName = "short";
    }
    return new Intl.DateTimeFormat(LOCALE, options);
  }

  var formatters = {};

  function formatterFor(style) {
    var key = style === "date" ? "date" : "datetime";
    if (!formatters[key]) {
      formatters[key] = makeFormatter(key === "datetime");
    }
    return formatters[key];
  }

  // "Tue 4 Apr 2023, 23:30 GMT+5:30" whatever order the locale would use.
  function format(date, style) {
    var parts = {};
    formatterFor(style)
      .formatToParts(date)
      .forEach(function (part) {
        parts[part.type] = part.value;
      });
    var text = [parts.weekday, parts.day, parts.month, parts.year].join(" ");
    if (style !== "date") {
      var hour = parts.hour === "24" ? "00" : parts.hour; // some engines say 24:05 for 00:05
      text += ", " + hour + ":" + parts.minute + " " + parts.timeZoneName;
    }
    return text;
  }

  function localize(root) {
    var zone = zoneName();
    var times = (root || document).querySelectorAll("time[data-local]");
    Array.prototype.forEach.call(times, function (time) {
      var next = time.nextElementSibling;
      if (time.hasAttribute("data-localized") || (next && next.classList.contains("local-time"))) {
        return;
      }
      var date = new Date(time.getAttribute("datetime"));
      if (isNaN(date.getTime())) {
        return;
      }
      var span = document.createElement("span");
      span.className = "local-time";
      span.textContent = " · your time: " + format(date, time.getAttribute("data-local"));
      if (zone) {
        span.title = zone;
      }
      time.insertAdjacentElement("afterend", span);
      time.setAttribute("data-localized", "");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      localize(document);
    });
  } else {
    localize(document);
  }

  window.SeasonsLocalTime = { localize: localize };
})();

/*
 * Seasons: drafts kept in the browser, so that an editor never loses what was typed.
 *
 * Holds what the proposal editor (proposal.js) and the doc-project budget editor (budget.js)
 * share: the copy of the form kept in localStorage with the server version it was typed on
 * (readLocal/writeLocal/clearLocal), putting it back on load or offering it when it was typed on
 * an older version (resume/offerOlderCopy/restore), the status line (show), the debounced
 * request (schedule), the POST with the CSRF token (post) and the form's listeners (listen).
 * Load it before them: <script src="drafts.js" defer> runs in document order. It defines one
 * global, window.SeasonsDrafts: { Draft, start }. Each editor inherits from Draft
 * (Object.create), starts with SeasonsDrafts.start(formSelector, Editor) and completes Draft with:
 *  - text: { restored, older, putBack [, discard] } — discard adds a "Discard it" button;
 *  - basis(): what the copy is typed on, kept beside it (e.g. { revision: 3 });
 *  - send(): the request that schedule() runs; debounceMs: its usual delay (putBackDelay: the
 *    one after "Put my text back");
 *  - onEdit(event): what an edit does; listen() sends the form's input and change events to it;
 *  - fields (optional): the names a snapshot keeps, every named field when null;
 *  - same(a, b), restore(values) (optional): compare and put back snapshots.
 * Plain ES2017, no libraries, no inline code (safe under a strict Content-Security-Policy).
 */
(function () {
  "use strict";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // disabled by the browser's privacy settings
    }
  }

  function csrfToken(form) {
    // The cookie first: signing in again in another tab rotates the token this page was given.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // `key` is the localStorage key of the copy; `status` the element that reports on it.
  function Draft(form, key, status) {
    this.form = form;
    this.key = key;
    this.status = status;
    this.url = "";
    this.readOnly = form.hasAttribute("data-read-only");
    // False when the page echoes a refused POST: its fields are then not what the server holds.
    this.inSync = form.dataset.inSync !== "false";
    this.timer = null;
    this.halted = false; // true: schedule() sends nothing
    this.dirty = false; // the fields hold text the server may not have
  }

  Draft.prototype.fields = null;
  Draft.prototype.debounceMs = 0;
  Draft.prototype.putBackDelay = undefined; // after "Put my text back"; debounceMs when undefined

  Draft.prototype.field = function (name) {
    var element = this.form.elements.namedItem(name);
    return element && element.tagName ? element : null;
  };

  Draft.prototype.snapshot = function () {
    var values = {};
    if (this.fields) {
      this.fields.forEach(function (name) {
        var element = this.field(name);
        if (element) {
          values[name] = element.value;
        }
      }, this);
    } else {
      Array.prototype.forEach.call(this.form.elements, function (element) {
        if (element.name && element.name !== "csrfmiddlewaretoken" && element.type !== "submit") {
          values[element.name] = element.value;
        }
      });
    }
    return values;
  };

  Draft.prototype.same = function (a, b) {
    return (this.fields || Object.keys(Object.assign({}, a, b))).every(function (name) {
      return (a[name] || "") === (b[name] || "");
    });
  };

  Draft.prototype.readLocal = function () {
    var store = storage();
    try {
      var raw = store && store.getItem(this.key);
      return raw ? JSON.parse(raw) : null;
    } catch (error) {
      return null;
    }
  };

  Draft.prototype.writeLocal = function () {
    var store = storage();
    if (!store) {
      return;
    }
    var copy = { fields: this.snapshot(), typedAt: new Date().toISOString() };
    Object.assign(copy, this.basis());
    try {
      store.setItem(this.key, JSON.stringify(copy));
    } catch (error) {
      // Storage full: the server copy is all we have; saving still works.
    }
  };

  Draft.prototype.clearLocal = function () {
    var store = storage();
    try {
      if (store) {
        store.removeItem(this.key);
      }
    } catch (error) {
      // Nothing to do.
    }
  };

  // Whether the copy was typed on the version the page shows.
  Draft.prototype.typedOn = function (local) {
    var basis = this.basis();
    return Object.keys(basis).every(function (name) {
      return local[name] === basis[name];
    });
  };

  // Puts `values` into the named fields; a select keeps its value when the option is gone.
  Draft.prototype.fill = function (values, names) {
    names.forEach(function (name) {
      var element = this.field(name);
      if (!element || !(name in values)) {
        return;
      }
      if (element.tagName === "SELECT") {
        var known = Array.prototype.some.call(element.options, function (option) {
          return option.value === values[name];
        });
        if (!known) {
          return;
        }
      }
      element.value = values[name];
    }, this);
  };

  Draft.prototype.restore = function (values) {
    this.fill(values, this.fields || Object.keys(values));
  };

  Draft.prototype.show = function (message, state, link) {
    if (!this.status) {
      return;
    }
    this.status.textContent = message;
    this.status.setAttribute("data-state", state || "");
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      this.status.appendChild(document.createTextNode(" "));
      this.status.appendChild(anchor);
    }
  };

  Draft.prototype.schedule = function (delay) {
    if (!this.url || this.halted) {
      return;
    }
    window.clearTimeout(this.timer);
    var wait = delay === undefined ? this.debounceMs : delay;
    this.timer = window.setTimeout(this.send.bind(this), wait);
  };

  Draft.prototype.post = function (body) {
    return fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(this.form), Accept: "application/json" },
      body: body,
    });
  };

  // On load: a copy typed on the version the page shows (never saved, e.g. after a network
  // failure, a re-login or a closed tab) is put back; one typed on an older version is offered.
  Draft.prototype.resume = function () {
    var local = this.readLocal();
    if (!this.inSync) {
      // A refused save echoes text the server does not hold: keep this browser's copy of it.
      this.writeLocal();
      this.dirty = !this.readOnly;
    } else if (local && local.fields) {
      if (this.same(local.fields, this.snapshot())) {
        this.clearLocal();
      } else if (!this.readOnly && this.typedOn(local)) {
        this.restore(local.fields);
        this.dirty = true;
        this.show(this.text.restored, "restored");
        this.schedule();
      } else if (!this.readOnly) {
        this.offerOlderCopy(local);
      }
    }
  };

  function button(text, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  // Text typed on an older version is never put back silently (it would undo newer text saved
  // elsewhere), but it is not thrown away either: the writer may choose it (or discard it).
  Draft.prototype.offerOlderCopy = function (local) {
    if (!this.status) {
      return;
    }
    this.show(this.text.older, "older");
    var putBack = function () {
      this.restore(local.fields);
      this.dirty = true;
      this.writeLocal();
      this.show(this.text.restored, "restored");
      this.schedule(this.putBackDelay);
    }.bind(this);
    var buttons = [button(this.text.putBack, "button-secondary button-small", putBack)];
    if (this.text.discard) {
      var discard = function () {
        this.clearLocal();
        this.show("", "");
      }.bind(this);
      buttons.push(button(this.text.discard, "button-link", discard));
    }
    buttons.forEach(function (element) {
      this.status.appendChild(document.createTextNode(" "));
      this.status.appendChild(element);
    }, this);
  };

  // Every edit goes to onEdit; a submit keeps the copy, which survives a failed or late save
  // (the next page drops it once it shows the same text).
  Draft.prototype.listen = function () {
    var onEdit = this.onEdit.bind(this);
    this.form.addEventListener("input", onEdit);
    this.form.addEventListener("change", onEdit);
    this.form.addEventListener(
      "submit",
      function () {
        window.clearTimeout(this.timer);
        if (!this.readOnly) {
          this.writeLocal();
        }
      }.bind(this)
    );
  };

  // Runs `new Editor(form).start()` for the page's form matching `selector`, once the DOM is ready.
  function start(selector, Editor) {
    function init() {
      var form = document.querySelector(selector);
      if (form) {
        new Editor(form).start();
      }
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  }

  window.SeasonsDrafts = { Draft: Draft, start: start };
})();

/*
 * Seasons: the proposal editor never loses what was typed.
 *
 * On <form data-proposal-id data-revision data-in-sync [data-autosave-url] [data-read-only]>:
 *  - every keystroke is copied at once to localStorage ("seasons:proposal:<id>") with the
 *    server revision it was typed on;
 *  - ~1.5 s after typing stops the fields are POSTed to the autosave URL, one request at a time;
 *    a network error retries with backoff (and when the browser comes back online), a signed-out
 *    session or a stale revision is reported and the copy stays in this browser;
 *  - on load, a copy typed on the same revision as the page but different from it (unsaved
 *    edits, e.g. after a network failure or a re-login) is put back into the fields;
 *  - the copy is dropped once the server holds the same text.
 * The length options follow the chosen size; the server checks both anyway.
 * The copy kept in this browser is drafts.js's Draft (loaded first), which Editor extends.
 * Plain ES2017, no libraries, no inline code (safe under a strict Content-Security-Policy).
 */
(function () {
  "use strict";

  var Draft = window.SeasonsDrafts.Draft;
  var FIELDS = ["title", "idea", "abstract", "body", "size", "length_weeks", "preference"];
  var DEBOUNCE_MS = 1500;
  var FIRST_RETRY_MS = 2000;
  var MAX_RETRY_MS = 60000;
  var TEXT = {
    offline:
      "Offline — your text is kept in this browser and will be saved when the connection returns",
    signedOut: "You were signed out. Your text is kept in this browser — sign in again to continue",
    signIn: "Sign in",
    stale:
      "This proposal was saved from another tab or device. Reload to see the newer text; what you typed here is kept in this browser.",
    gone: "This proposal is no longer available to you. Your text is kept in this browser.",
    serverError: "The server could not save just now. Your text is kept in this browser; retrying…",
    restored: "Restored unsaved text from this browser",
    older:
      "This browser kept text you typed on an older version of this proposal; the page shows the newer saved text.",
    putBack: "Put my text back",
    notSaved: "Not saved: ",
    savedAt: "Saved at ",
    saving: "Saving…",
  };

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function clock(iso) {
    var date = iso ? new Date(iso) : new Date();
    if (isNaN(date.getTime())) {
      date = new Date();
    }
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function Editor(form) {
    var key = "seasons:proposal:" + form.dataset.proposalId;
    Draft.call(this, form, key, document.getElementById("autosave-status"));
    this.url = form.dataset.autosaveUrl || "";
    this.revision = parseInt(form.dataset.revision, 10) || 0;
    this.inFlight = false;
    this.again = false;
    this.failures = 0;
    var script = document.getElementById("proposal-length-options");
    try {
      this.lengthOptions = script ? JSON.parse(script.textContent) : {};
    } catch (error) {
      this.lengthOptions = {};
    }
  }

  Editor.prototype = Object.create(Draft.prototype);
  Editor.prototype.constructor = Editor;
  Editor.prototype.fields = FIELDS;
  Editor.prototype.text = TEXT;
  Editor.prototype.debounceMs = DEBOUNCE_MS;
  Editor.prototype.putBackDelay = 0;

  Editor.prototype.basis = function () {
    return { revision: this.revision };
  };

  Editor.prototype.send = async function () {
    this.timer = null;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    var sent = this.snapshot();
    var body = new URLSearchParams();
    Object.keys(sent).forEach(function (name) {
      body.append(name, sent[name]);
    });
    body.append("revision", String(this.revision));
    try {
      var response = await this.post(body);
      var data = {};
      try {
        data = await response.json();
      } catch (error) {
        data = {};
      }
      this.handle(response.status, data, sent);
    } catch (error) {
      this.retryLater(TEXT.offline, "offline");
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule(0);
    }
  };

  Editor.prototype.retryLater = function (message, state) {
    this.failures += 1;
    this.show(message, state);
    this.schedule(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * Math.pow(2, this.failures - 1)));
  };

  Editor.prototype.setRevision = function (revision) {
    if (typeof revision === "number") {
      this.revision = revision;
      this.form.dataset.revision = String(revision);
    }
  };

  Editor.prototype.handle = function (status, data, sent) {
    if (status === 200 && data.ok) {
      this.failures = 0;
      this.setRevision(data.revision);
      this.show(TEXT.savedAt + clock(data.saved_at), "saved");
      if (this.same(this.snapshot(), sent)) {
        this.dirty = false;
        this.clearLocal();
      } else {
        this.writeLocal(); // typed while saving: keep it, now based on the new revision
      }
      return;
    }
    if (status === 401) {
      this.show(TEXT.signedOut, "signed-out", { href: data.login_url || "/accounts/login/", text: TEXT.signIn });
    } else if (status === 409) {
      this.halted = true;
      this.show(data.message || TEXT.stale, "stale");
    } else if (status === 400) {
      this.setRevision(data.revision); // the fields that were valid were saved
      this.writeLocal();
      var errors = data.errors || {};
      var messages = [];
      Object.keys(errors).forEach(function (name) {
        messages = messages.concat(errors[name]);
      });
      this.show(TEXT.notSaved + messages.join(" "), "invalid");
    } else if (status === 403) {
      // A CSRF refusal: the browser lost its cookies with the session. Signing in restores both.
      var next = "/accounts/login/?next=" + encodeURIComponent(window.location.pathname);
      this.show(TEXT.signedOut, "signed-out", { href: next, text: TEXT.signIn });
    } else if (status === 404) {
      this.halted = true;
      this.show(TEXT.gone, "gone");
    } else {
      this.retryLater(TEXT.serverError, "error");
    }
  };

  Editor.prototype.restrictLengths = function (choose) {
    var size = this.field("size");
    var length = this.field("length_weeks");
    if (!size || !length) {
      return;
    }
    var allowed = this.lengthOptions[size.value];
    Array.prototype.forEach.call(length.options, function (option) {
      var ok =
        option.value === "" ||
        !allowed ||
        allowed.indexOf(parseInt(option.value, 10)) !== -1 ||
        (!choose && option.selected); // never hide what the server holds
      option.hidden = !ok;
      option.disabled = !ok;
    });
    if (choose && allowed && allowed.indexOf(parseInt(length.value, 10)) === -1) {
      var preferred = parseInt(this.form.dataset.defaultLength, 10);
      length.value = String(allowed.indexOf(preferred) !== -1 ? preferred : allowed[0]);
    }
  };

  Editor.prototype.restore = function (values) {
    Draft.prototype.restore.call(this, values);
    this.restrictLengths(false);
  };

  Editor.prototype.onEdit = function (event) {
    if (this.readOnly || (event.target && event.target.type === "file")) {
      return;
    }
    if (event.type === "change" && event.target === this.field("size")) {
      this.restrictLengths(true);
    }
    this.dirty = true;
    this.writeLocal();
    this.schedule();
  };

  Editor.prototype.start = function () {
    this.restrictLengths(false);
    this.resume();
    this.listen();
    this.form.addEventListener(
      "submit",
      function () {
        this.halted = true; // the page is leaving: no autosave may race the submit
      }.bind(this)
    );
    var retry = function () {
      if (this.dirty && !this.inFlight) {
        this.failures = 0;
        this.schedule(0);
      }
    }.bind(this);
    window.addEventListener("online", retry);
    window.addEventListener(
      "pageshow",
      function (event) {
        if (event.persisted) {
          this.halted = false; // back from the page cache after a submit: keep saving
        }
      }.bind(this)
    );
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        retry();
      }
    });
  };

  window.SeasonsDrafts.start("form[data-proposal-id]", Editor);
})();

/*
 * Seasons: the doc-project proposal's budget, checked against the program's rules as it is typed.
 *
 * On <form data-doc-proposal-id data-check-url data-saved-at data-in-sync>:
 *  - ~400 ms after typing stops in the budget section, the form is POSTed to the check URL; the
 *    server answers with the totals and the rules the lines break, which are shown next to the
 *    budget (a line's problems on its row). The rules live on the server only: nothing here
 *    knows a limit or a percentage.
 *  - "Add a line" clones the formset's empty row (without JavaScript the page offers 3 blank
 *    rows, and saving gives 3 more).
 *  - Every keystroke is copied to localStorage ("seasons:doc-proposal:<id>") with the saved
 *    version it was typed on. On load, a copy typed on the version the page shows (never saved,
 *    e.g. the tab was closed) is put back; a copy typed on an older version is offered instead.
 *    The copy is dropped once the page shows the same text (drafts.js's Draft, loaded first,
 *    which Budget extends).
 * Plain ES2017, no libraries, no inline code (safe under a strict Content-Security-Policy).
 */
(function () {
  "use strict";

  var Draft = window.SeasonsDrafts.Draft;
  var DEBOUNCE_MS = 400;
  var PREFIX = "budget";
  var MANAGEMENT = ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"];
  var LINE = /^budget-(\d+)-(kind|description|amount)$/;
  var TEXT = {
    ok: "The budget meets the program's rules.",
    checking: "Checking the budget…",
    unavailable: "The budget could not be checked just now; it is checked again when you save.",
    signedOut: "You were signed out: the budget is not being checked. Your text is kept in this browser.",
    restored: "Restored text you typed in this browser but did not save.",
    older: "This browser kept text you typed on an older version of this proposal; the page shows the newer saved text.",
    putBack: "Put my text back",
    discard: "Discard it",
  };

  function isManagement(name) {
    return MANAGEMENT.some(function (suffix) {
      return name === PREFIX + "-" + suffix;
    });
  }

  // What a snapshot means, whatever row each line was typed in and however an amount is written.
  function normalize(fields) {
    var text = {};
    var lines = {};
    Object.keys(fields).forEach(function (name) {
      var match = LINE.exec(name);
      if (match) {
        lines[match[1]] = lines[match[1]] || {};
        lines[match[1]][match[2]] = fields[name];
      } else if (!isManagement(name)) {
        text[name] = fields[name] || "";
      }
    });
    var rows = Object.keys(lines)
      .sort(function (a, b) {
        return a - b;
      })
      .map(function (index) {
        var line = lines[index];
        var amount = (line.amount || "").trim();
        var number = parseFloat(amount);
        return [
          line.kind || "",
          (line.description || "").trim(),
          amount && !isNaN(number) ? String(number) : amount,
        ];
      })
      .filter(function (line) {
        return line[1] !== "" || line[2] !== "";
      });
    return JSON.stringify([text, rows]);
  }

  function Budget(form) {
    var key = "seasons:doc-proposal:" + form.dataset.docProposalId;
    Draft.call(this, form, key, document.getElementById("budget-status"));
    this.url = form.dataset.checkUrl;
    this.savedAt = form.dataset.savedAt || "";
    this.rows = form.querySelector("[data-budget-rows]");
    this.section = form.querySelector("[data-budget]");
    this.totalForms = form.elements.namedItem(PREFIX + "-TOTAL_FORMS");
    this.maxForms = form.elements.namedItem(PREFIX + "-MAX_NUM_FORMS");
    this.template = document.getElementById("budget-empty-row");
    this.addButton = form.querySelector("[data-budget-add]");
    this.problems = document.getElementById("budget-problems");
    this.sequence = 0;
  }

  Budget.prototype = Object.create(Draft.prototype);
  Budget.prototype.constructor = Budget;
  Budget.prototype.text = TEXT;
  Budget.prototype.debounceMs = DEBOUNCE_MS;

  Budget.prototype.basis = function () {
    return { basis: this.savedAt };
  };

  Budget.prototype.same = function (a, b) {
    return normalize(a) === normalize(b);
  };

  Budget.prototype.count = function () {
    return parseInt(this.totalForms.value, 10) || 0;
  };

  Budget.prototype.addRow = function () {
    if (!this.template || !this.rows) {
      return null;
    }
    var index = String(this.count());
    var fragment = this.template.content.cloneNode(true);
    fragment.querySelectorAll("[name], [id], [for]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace(/__prefix__/g, index));
        }
      });
    });
    var row = fragment.querySelector("tr");
    this.rows.appendChild(fragment);
    this.totalForms.value = String(this.count() + 1);
    this.updateAddButton();
    return row;
  };

  Budget.prototype.updateAddButton = function () {
    if (!this.addButton) {
      return;
    }
    var max = this.maxForms ? parseInt(this.maxForms.value, 10) : NaN;
    this.addButton.hidden = !isNaN(max) && this.count() >= max;
  };

  Budget.prototype.restore = function (fields) {
    var wanted = parseInt(fields[PREFIX + "-TOTAL_FORMS"], 10) || 0;
    while (this.count() < wanted) {
      this.addRow();
    }
    this.fill(
      fields,
      Object.keys(fields).filter(function (name) {
        return !isManagement(name);
      })
    );
  };

  Budget.prototype.send = async function () {
    var sequence = ++this.sequence;
    var body = new URLSearchParams(new FormData(this.form));
    try {
      var response = await this.post(body);
      if (sequence !== this.sequence) {
        return; // a newer check is on its way
      }
      if (response.status === 401 || response.status === 403) {
        this.show(TEXT.signedOut, "signed-out");
        return;
      }
      var data = await response.json();
      if (sequence === this.sequence) {
        this.render(data);
        this.show("", "");
      }
    } catch (error) {
      if (sequence === this.sequence) {
        this.show(TEXT.unavailable, "error");
      }
    }
  };

  Budget.prototype.rowElement = function (index) {
    var element = this.form.elements.namedItem(PREFIX + "-" + index + "-amount");
    return element && element.closest ? element.closest("tr") : null;
  };

  Budget.prototype.render = function (data) {
    var totals = data.totals || {};
    this.form.querySelectorAll("[data-total]").forEach(function (element) {
      var key = element.getAttribute("data-total");
      if (key in totals) {
        element.textContent = totals[key];
      }
    });
    this.form.querySelectorAll("[data-budget-row]").forEach(function (row) {
      row.classList.remove("budget-row-invalid");
      var list = row.querySelector("[data-row-problems]");
      if (list) {
        list.textContent = "";
      }
    });
    var general = document.createElement("ul");
    general.className = "errorlist";
    (data.problems || []).forEach(function (problem) {
      var row = problem.row === null || problem.row === undefined ? null : this.rowElement(problem.row);
      var list = row ? row.querySelector("[data-row-problems]") : null;
      var item = document.createElement("li");
      item.textContent = problem.message;
      item.setAttribute("data-rule", problem.rule);
      if (list) {
        row.classList.add("budget-row-invalid");
        list.appendChild(item);
      } else {
        general.appendChild(item);
      }
    }, this);
    if (!this.problems) {
      return;
    }
    this.problems.textContent = "";
    if (general.children.length) {
      this.problems.appendChild(general);
      this.problems.removeAttribute("data-state");
    } else if (!(data.problems || []).length) {
      var ok = document.createElement("p");
      ok.textContent = TEXT.ok;
      this.problems.appendChild(ok);
      this.problems.setAttribute("data-state", "ok");
    }
  };

  Budget.prototype.onEdit = function (event) {
    var target = event.target;
    if (!target || !target.name || isManagement(target.name)) {
      return;
    }
    this.writeLocal();
    if (this.section && this.section.contains(target)) {
      this.schedule();
    }
  };

  Budget.prototype.start = function () {
    if (!this.totalForms) {
      return;
    }
    if (this.addButton) {
      this.addButton.hidden = false;
      this.updateAddButton();
      this.addButton.addEventListener(
        "click",
        function () {
          var row = this.addRow();
          var first = row && row.querySelector("select, input");
          if (first) {
            first.focus();
          }
        }.bind(this)
      );
    }
    this.resume();
    this.listen();
  };

  window.SeasonsDrafts.start("form[data-doc-proposal-id]", Budget);
})();

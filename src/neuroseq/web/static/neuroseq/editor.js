/* neuroseq draft editor: autosave, keyboard-first rating, live parts.
 *
 * Every page works without this script (Save buttons post the whole step). With it:
 * - each change is saved as it is made (POST JSON to data-save-url); while the connection
 *   is down, unsaved changes stay on this device (localStorage) and are sent when it
 *   returns, or when the page is opened again;
 * - a change someone else made to the same field comes back as a conflict showing both
 *   values; nothing is overwritten silently;
 * - in a [data-keyboard-grid] form, keys 0-3 rate the item and move on, n leaves it not
 *   rated, arrows or j/k move, and the focused item's anchors show beside the list;
 * - the server renders the live parts (map, gate, scores) and the script swaps them in.
 */
(function () {
  "use strict";

  var root = document.getElementById("editor");
  if (!root) { return; }
  var saveUrl = root.getAttribute("data-save-url");
  var step = root.getAttribute("data-step") || "";
  var storeKey = "neuroseq-draft-" + root.getAttribute("data-assessment");
  var revision = parseInt(root.getAttribute("data-revision"), 10);
  var state = document.getElementById("save-state");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";

  var pending = [];      // ops not yet sent, in order; one per path
  var inflight = null;   // ops being sent
  var held = null;       // ops waiting for the user to settle a conflict
  var retryTimer = null;

  function say(text, kind) {
    if (!state) { return; }
    state.textContent = text;
    state.className = "save-state" + (kind ? " " + kind : "");
  }

  // ------------------------------------------------------------------ the device store
  function persist() {
    var ops = [].concat(held || [], inflight || [], pending);
    try {
      if (ops.length) {
        window.localStorage.setItem(storeKey, JSON.stringify({ revision: revision, step: step, ops: ops }));
      } else {
        window.localStorage.removeItem(storeKey);
      }
    } catch (e) { /* private mode or full: saving still works while online */ }
  }

  function stored() {
    try {
      var raw = window.localStorage.getItem(storeKey);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }

  // ------------------------------------------------------------------ fields
  function fieldFor(path) {
    return document.querySelector('fieldset[data-path="' + path + '"]');
  }

  function show(path, value) {
    var field = fieldFor(path);
    if (!field) { return; }
    var text = value === null || value === undefined ? "" : String(value === true ? "yes" : value === false ? "no" : value);
    var input = field.querySelector('input[type=radio][value="' + text + '"]');
    if (input) { input.checked = true; }
    markCurrentAnchor(field);
  }

  function seenOf(field) {
    var seen = field.getAttribute("data-seen");
    return seen === "" || seen === null ? null : seen;
  }

  function queue(op) {
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].path === op.path) {
        op.seen = pending[i].seen;  // what the page showed before the first change
        pending.splice(i, 1);
        break;
      }
    }
    pending.push(op);
    persist();
    say("Saving…", "busy");
    flush();
  }

  function onChange(event) {
    var input = event.target;
    if (input.type !== "radio") { return; }
    var field = input.closest("[data-path]");
    if (!field) { return; }
    queue({
      kind: "set",
      path: field.getAttribute("data-path"),
      value: input.value === "" ? null : input.value,
      seen: seenOf(field)
    });
    markCurrentAnchor(field);
  }

  // ------------------------------------------------------------------ sending
  function setRevision(number) {
    revision = number;
    root.setAttribute("data-revision", String(number));
    var fields = document.querySelectorAll("[data-revision-field]");
    for (var i = 0; i < fields.length; i++) { fields[i].value = String(number); }
  }

  function requeue(ops) {
    for (var i = ops.length - 1; i >= 0; i--) {
      var newer = pending.filter(function (p) { return p.path === ops[i].path; })[0];
      if (newer) { newer.seen = ops[i].seen; } else { pending.unshift(ops[i]); }
    }
  }

  function later() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 5000);
  }

  function offline() {
    say("Not saved yet: no connection. Your changes are kept on this device and will be saved when the connection returns.", "warn");
  }

  function flush() {
    if (inflight || held || pending.length === 0) { return; }
    if (navigator.onLine === false) { offline(); later(); return; }
    inflight = pending;
    pending = [];
    persist();
    var sent = inflight;
    fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ revision: revision, step: step, ops: sent })
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) {
        inflight = null;
        requeue(sent);
        persist();
        say(response.status === 403 || response.status === 404
          ? "Not saved: your account cannot change this draft. Your changes are kept on this device."
          : "Not saved: you seem to be signed out. Your changes are kept on this device; sign in again and reopen this page to save them.", "warn");
        return null;
      }
      return response.json().then(function (data) { answer(response.status, data, sent); });
    }).catch(function () {
      inflight = null;
      requeue(sent);
      persist();
      offline();
      later();
    });
  }

  function answer(status, data, sent) {
    inflight = null;
    if (status === 200) {
      setRevision(data.revision);
      sent.forEach(function (op) {
        var field = fieldFor(op.path);
        if (field) { field.setAttribute("data-seen", op.value === null ? "" : String(op.value)); }
        clearError(op.path);
      });
      persist();
      swap(data.fragments || {});
      othersChanged(data.others || []);
      say(pending.length ? "Saving…" : "All changes saved at " + data.saved_at + " (revision " + data.revision + ").", pending.length ? "busy" : "ok");
      flush();
    } else if (status === 409 && data.conflicts) {
      setRevision(data.revision);
      held = sent;
      persist();
      conflicts(data.conflicts);
      say("Not saved: someone else changed the same field. Choose which value to keep.", "warn");
    } else if (status === 400 && data.errors) {
      persist();
      Object.keys(data.errors).forEach(function (path) { showError(path, data.errors[path]); });
      say("Not saved: " + Object.keys(data.errors).map(function (k) { return data.errors[k]; }).join("; "), "warn");
      flush();
    } else {
      requeue(sent);
      persist();
      say("Not saved yet: " + (data.error || "the server did not accept the change") + ". Retrying.", "warn");
      later();
    }
  }

  function showError(path, message) {
    var field = fieldFor(path);
    if (!field) { return; }
    field.classList.add("has-error");
    var p = field.querySelector(".field-error.live");
    if (!p) {
      p = document.createElement("p");
      p.className = "field-error live";
      field.insertBefore(p, field.querySelector(".choices"));
    }
    p.textContent = message;
  }

  function clearError(path) {
    var field = fieldFor(path);
    if (!field) { return; }
    var p = field.querySelector(".field-error.live");
    if (p) { p.remove(); field.classList.remove("has-error"); }
  }

  function swap(fragments) {
    Object.keys(fragments).forEach(function (id) {
      var target = document.getElementById(id);
      if (target) { target.innerHTML = fragments[id]; }
    });
  }

  function othersChanged(list) {
    var box = document.getElementById("others");
    if (!box || !list.length) { return; }
    list.forEach(function (o) {
      show(o.path, o.value);
      var field = fieldFor(o.path);
      if (field) { field.setAttribute("data-seen", o.value === null ? "" : String(o.value === true ? "yes" : o.value === false ? "no" : o.value)); }
    });
    box.hidden = false;
    box.textContent = "Someone else changed " + list.map(function (o) { return o.label; }).join(", ") + ": shown above as they saved it.";
  }

  // ------------------------------------------------------------------ conflicts
  function conflicts(rows) {
    var box = document.getElementById("conflicts");
    if (!box) { return; }
    box.innerHTML = "";
    var h = document.createElement("h2");
    h.textContent = "Someone else changed " + rows.length + " of the same field" + (rows.length > 1 ? "s" : "");
    var p = document.createElement("p");
    p.textContent = "Your change was not saved. For each field, keep their value or use yours.";
    var ul = document.createElement("ul");
    ul.className = "conflict-list";
    rows.forEach(function (c) {
      var li = document.createElement("li");
      li.setAttribute("data-path", c.path);
      var text = document.createElement("p");
      text.innerHTML = "";
      var strong = document.createElement("strong");
      strong.textContent = c.label;
      text.appendChild(strong);
      text.appendChild(document.createTextNode(": " + c.who + " saved “" + c.theirs + "” at " + c.when + "; you chose “" + c.yours + "”."));
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "secondary";
      keep.textContent = "Keep theirs: " + c.theirs;
      keep.addEventListener("click", function () { settle(c, false, li); });
      var mine = document.createElement("button");
      mine.type = "button";
      mine.textContent = "Use mine: " + c.yours;
      mine.addEventListener("click", function () { settle(c, true, li); });
      li.appendChild(text);
      li.appendChild(keep);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(mine);
      ul.appendChild(li);
    });
    box.appendChild(h);
    box.appendChild(p);
    box.appendChild(ul);
    box.hidden = false;
    box.focus();
  }

  function settle(conflict, useMine, li) {
    var theirs = conflict.theirs_raw;
    var field = fieldFor(conflict.path);
    held = (held || []).filter(function (op) {
      if (op.path !== conflict.path) { return true; }
      if (useMine) { op.seen = theirs; return true; }
      return false;
    });
    if (!useMine) {
      show(conflict.path, theirs);
      if (field) { field.setAttribute("data-seen", theirs === null ? "" : String(theirs)); }
    }
    li.remove();
    var box = document.getElementById("conflicts");
    if (box && !box.querySelector("li")) {
      box.hidden = true;
      box.innerHTML = "";
      requeue(held);
      held = null;
      persist();
      flush();
      if (!pending.length && !inflight) { say("Conflict settled; nothing else to save.", "ok"); }
    } else {
      persist();
    }
  }

  // ------------------------------------------------------------------ keyboard grid
  function items(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll("fieldset.item"));
  }

  function focusItem(item) {
    var input = item.querySelector("input:checked") || item.querySelector("input");
    if (input) { input.focus(); }
  }

  function move(grid, item, direction) {
    var list = items(grid);
    var index = list.indexOf(item) + direction;
    if (index >= list.length) {
      var after = grid.querySelector("[data-after-grid]") || grid.querySelector("button[type=submit]");
      if (after) { after.focus(); }
    } else if (index >= 0) {
      focusItem(list[index]);
    }
  }

  function choose(item, value) {
    var input = item.querySelector('input[type=radio][value="' + value + '"]');
    if (input && !input.checked) {
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function markCurrentAnchor(item) {
    var checked = item.querySelector("input:checked");
    var value = checked ? checked.value : "";
    var panels = [item.querySelector(".anchors"), document.getElementById("focus-panel")];
    panels.forEach(function (panel) {
      if (!panel) { return; }
      var rows = panel.querySelectorAll(".anchor");
      for (var i = 0; i < rows.length; i++) {
        rows[i].classList.toggle("chosen", rows[i].getAttribute("data-value") === value);
      }
    });
  }

  function setCurrent(grid, item) {
    items(grid).forEach(function (other) { other.classList.toggle("current", other === item); });
    var panel = document.getElementById("focus-panel");
    var anchors = item.querySelector(".anchors");
    if (panel && anchors) { panel.innerHTML = anchors.innerHTML; }
    markCurrentAnchor(item);
  }

  function keyboardGrid(grid) {
    grid.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var item = event.target.closest("fieldset.item");
      if (!item || event.target.type !== "radio") { return; }
      var key = event.key;
      if (key === "0" || key === "1" || key === "2" || key === "3" || key === "n" || key === "N") {
        event.preventDefault();
        choose(item, key === "n" || key === "N" ? "" : key);
        move(grid, item, 1);
      } else if (key === "ArrowDown" || key === "j") {
        event.preventDefault();
        move(grid, item, 1);
      } else if (key === "ArrowUp" || key === "k") {
        event.preventDefault();
        move(grid, item, -1);
      }
    });
    grid.addEventListener("focusin", function (event) {
      var item = event.target.closest("fieldset.item");
      if (item) { setCurrent(grid, item); }
    });
    // A tap on a radio does not focus it in every mobile browser (Safari): follow the tap too.
    grid.addEventListener("click", function (event) {
      var item = event.target.closest("fieldset.item");
      if (item && !item.classList.contains("current")) { setCurrent(grid, item); }
    });
    var list = items(grid);
    if (list.length && !document.getElementById("error-summary")) {
      var first = list.filter(function (i) { return !i.querySelector("input:checked") || i.querySelector("input:checked").value === ""; })[0] || list[0];
      focusItem(first);
    }
  }

  // ------------------------------------------------------------------ adversity form
  function linkSelects() {
    var type = document.querySelector("select[data-filter-periods]");
    if (!type) { return; }
    var period = document.getElementById(type.getAttribute("data-filter-periods"));
    function allowed(option) { return (option.getAttribute("data-periods") || "").split(" "); }
    function filterPeriods() {
      var chosen = type.options[type.selectedIndex];
      var ok = chosen && chosen.value ? allowed(chosen) : null;
      Array.prototype.forEach.call(period.options, function (o) {
        var hide = o.value !== "" && ok !== null && ok.indexOf(o.value) < 0;
        o.hidden = hide;
        o.disabled = hide;
      });
      if (period.selectedOptions.length && period.selectedOptions[0].disabled) { period.value = ""; }
    }
    function filterTypes() {
      var p = period.value;
      Array.prototype.forEach.call(type.options, function (o) {
        var hide = o.value !== "" && p !== "" && allowed(o).indexOf(p) < 0;
        o.hidden = hide;
        o.disabled = hide;
      });
    }
    type.addEventListener("change", filterPeriods);
    period.addEventListener("change", filterTypes);
    filterPeriods();
  }

  // ------------------------------------------------------------------ start
  var forms = document.querySelectorAll("form[data-autosave]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("change", onChange);
    form.addEventListener("submit", function () {
      if (navigator.onLine !== false) {
        pending = [];
        held = null;
        persist();  // the posted form carries every value on the page
      }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-keyboard-grid]"), keyboardGrid);
  linkSelects();

  var saved = stored();
  if (saved && saved.ops && saved.ops.length) {
    saved.ops.forEach(function (op) { if (fieldFor(op.path)) { show(op.path, op.value); } });
    pending = saved.ops;
    say("Restored " + saved.ops.length + " change(s) kept on this device; saving…", "busy");
    flush();
  }
  window.addEventListener("online", function () { say("Connection back; saving…", "busy"); flush(); });
  window.addEventListener("offline", function () { if (pending.length || inflight) { offline(); } });
})();

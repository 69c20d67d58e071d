/* Progressive enhancement of the coded pickers (web/selfcheck/pickers.py); every picker works without it
   as a grouped <select>, and the <select> stays the field that is submitted.
   - park: only the parks of the chosen county are offered
   - industry: a type-ahead box filters the list by code or section name
   - tech field: three selects, L1 → L2 → L3, that set the grouped select underneath */
(function () {
  "use strict";

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function parks(select) {
    var region = document.querySelector('select[data-picker="region"]');
    if (!region) { return; }
    function apply() {
      var county = region.value;
      all(select, "optgroup").forEach(function (group) {
        var match = !county || all(group, "option").some(function (o) {
          return (o.getAttribute("data-counties") || "").split(" ").indexOf(county) >= 0;
        });
        group.hidden = !match;
        group.disabled = !match;
      });
      var chosen = select.options[select.selectedIndex];
      if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) { select.value = ""; }
    }
    region.addEventListener("change", apply);
    apply();
  }

  function industry(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "input picker-search";
    box.placeholder = select.getAttribute("data-search-label") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      var shown = [];
      all(select, "optgroup").forEach(function (group) {
        var any = false;
        all(group, "option").forEach(function (o) {
          var text = (o.getAttribute("data-search") || "") + " " + o.textContent.toLowerCase();
          var hit = !words || text.indexOf(words) >= 0;
          o.hidden = !hit;
          if (hit) { any = true; shown.push(o); }
        });
        group.hidden = !any;
      });
      if (words && shown.length === 1) { select.value = shown[0].value; }
    });
  }

  function tech(select) {
    var byLevel = function (level, prefix) {
      return all(select, 'option[data-level="' + level + '"]').filter(function (o) {
        return o.value.indexOf(prefix) === 0 && o.value.length === (level === 1 ? 1 : prefix.length + 2);
      });
    };
    var labels = [select.getAttribute("data-label-l1"), select.getAttribute("data-label-l2"),
                  select.getAttribute("data-label-l3")];
    var wrap = document.createElement("div");
    wrap.className = "cascade";
    var levels = labels.map(function (text, i) {
      var label = document.createElement("label");
      label.className = "cascade-level";
      var span = document.createElement("span");
      span.className = "hint";
      span.textContent = text;
      var sel = document.createElement("select");
      sel.className = "input";
      sel.id = select.id + "-l" + (i + 1);
      label.appendChild(span);
      label.appendChild(sel);
      wrap.appendChild(label);
      return sel;
    });
    function fill(sel, options, value) {
      sel.innerHTML = "";
      var blank = document.createElement("option");
      blank.value = "";
      blank.textContent = select.options[0].textContent;
      sel.appendChild(blank);
      options.forEach(function (o) {
        var opt = document.createElement("option");
        opt.value = o.value;
        opt.textContent = o.textContent.trim();
        sel.appendChild(opt);
      });
      sel.value = value;
      sel.parentNode.hidden = options.length === 0;
    }
    var current = select.value;
    var l1Options = all(select, 'option[data-level="0"]').concat(byLevel(1, ""));
    function render(v1, v2, v3) {
      fill(levels[0], l1Options, v1);
      fill(levels[1], v1 && v1 !== "none" ? byLevel(2, v1) : [], v2);
      fill(levels[2], v2 ? byLevel(3, v2) : [], v3);
    }
    function sync() {
      var v1 = levels[0].value, v2 = levels[1].value, v3 = levels[2].value;
      if (v2 && v2.indexOf(v1) !== 0) { v2 = ""; }
      if (v3 && v3.indexOf(v2) !== 0 || !v2) { v3 = ""; }
      render(v1, v2, v3);
      select.value = v3 || v2 || v1;
    }
    var known = all(select, "option[data-level]").some(function (o) { return o.value === current; });
    if (current && !known) { return; }  // a value typed before the picker existed: keep the plain select
    var v1 = current === "none" ? "none" : current.slice(0, 1);
    render(v1, current.length >= 3 ? current.slice(0, 3) : "", current.length === 5 ? current : "");
    levels.forEach(function (sel) { sel.addEventListener("change", sync); });
    select.hidden = true;
    select.parentNode.insertBefore(wrap, select);
  }

  all(document, 'select[data-picker="park"]').forEach(parks);
  all(document, 'select[data-picker="industry"]').forEach(industry);
  all(document, 'select[data-picker="tech"]').forEach(tech);
})();

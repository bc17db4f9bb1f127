// The registration desk: keyboard-first entry of a household in one screen.
// Works without this file (the form posts as-is); this makes it faster.
(function () {
  "use strict";
  const form = document.getElementById("desk-form");
  if (!form) return;
  const body = document.getElementById("members");
  const template = document.getElementById("member-row");
  const tables = JSON.parse(document.getElementById("transliteration").textContent);
  const strings = JSON.parse(document.getElementById("desk-strings").textContent);
  const MONTHS = strings.months;

  const rows = () => Array.from(body.querySelectorAll("tr.member"));
  const field = (row, name) => row.querySelector(`[data-field="${name}"]`);
  const focal = () => rows()[0];
  let nextIndex = rows().length;

  function isEmpty(row) {
    return ["given_name", "family_name", "birth_date", "document_number"]
      .every((name) => !field(row, name) || !field(row, name).value.trim() ||
        field(row, name).dataset.prefilled === "1");
  }

  function fatherName() {
    const first = focal();
    if (field(first, "sex").value === "M") return field(first, "given_name").value;
    for (const row of rows().slice(1)) {
      if (field(row, "relationship").value === "spouse" && field(row, "sex").value === "M") {
        return field(row, "given_name").value;
      }
    }
    return "";
  }

  // What a new member's names probably are; the registrar overwrites them when not.
  function prefill(row) {
    const first = focal();
    const relation = field(row, "relationship") ? field(row, "relationship").value : "";
    const guesses = { family_name: field(first, "family_name").value, patronymic: "" };
    if (relation === "child" || relation === "grandchild") guesses.patronymic = fatherName();
    if (relation === "sibling") guesses.patronymic = field(first, "patronymic").value;
    for (const [name, value] of Object.entries(guesses)) {
      const input = field(row, name);
      if (input.dataset.prefilled === "1" || !input.value) {
        input.value = value;
        input.dataset.prefilled = value ? "1" : "0";
      }
    }
  }

  function addRow(focus) {
    const index = nextIndex++;
    const html = template.innerHTML.replaceAll("__i__", String(index));
    body.insertAdjacentHTML("beforeend", html);
    const row = rows()[rows().length - 1];
    row.querySelector(".rownum").textContent = String(rows().length);
    field(row, "relationship").value = rows().length === 2 ? "spouse" : "child";
    prefill(row);
    if (focus) field(row, "given_name").focus();
    return row;
  }

  function focusables(scope) {
    return Array.from(scope.querySelectorAll("input:not([type=hidden]), select, button"))
      .filter((el) => el.tabIndex !== -1 && !el.disabled);
  }

  function moveNext(from) {
    const all = focusables(form);
    const at = all.indexOf(from);
    if (at >= 0 && at + 1 < all.length) all[at + 1].focus();
  }

  function save() {
    if (form.dataset.saving) return;
    form.dataset.saving = "1";
    for (const row of rows().slice(1)) if (isEmpty(row)) row.remove();
    form.submit();
  }

  let escapeArmed = 0;
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save();
      return;
    }
    if (event.altKey && (event.key === "n" || event.key === "N" || event.code === "KeyN")) {
      event.preventDefault();
      addRow(true);
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      if (Date.now() - escapeArmed < 1500) { window.location.assign("/desk/"); return; }
      escapeArmed = Date.now();
      showNotice(form.dataset.escapeNotice || "Press Esc again to clear");
      return;
    }
    if (event.key !== "Enter" || target.tagName === "BUTTON") return;
    event.preventDefault();
    const row = target.closest("tr.member");
    if (row) {
      if (isEmpty(row) && rows().length > 1) {
        row.remove();
        form.querySelector("[data-household]").focus();
      } else if (target.hasAttribute("data-last")) {
        const after = row.nextElementSibling;
        if (after) field(after, "given_name").focus(); else addRow(true);
      } else {
        moveNext(target);
      }
    } else if (target.hasAttribute("data-last-household")) {
      save();
    } else {
      moveNext(target);
    }
  });

  form.addEventListener("input", (event) => {
    const target = event.target;
    target.dataset.prefilled = "0";
    const row = target.closest("tr.member");
    if (!row) return;
    if (row === focal() && ["family_name", "given_name", "patronymic"].includes(target.dataset.field)) {
      rows().slice(1).forEach(prefill);
    }
    if (target.dataset.field === "birth_date") showBirthReading(target);
    if (target.dataset.field === "given_name" || target.dataset.field === "family_name") {
      showLatin(target);
    }
  });

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.dataset.field === "relationship" || target.dataset.field === "sex") {
      rows().slice(1).forEach(prefill);
    }
  });

  // Prefilled names are selected on focus, so typing replaces them.
  form.addEventListener("focusin", (event) => {
    if (event.target.dataset && event.target.dataset.prefilled === "1") event.target.select();
  });

  function hint(input) {
    return input.parentElement.querySelector(".hint");
  }

  // How the desk reads what was typed, before saving ("about 2016").
  function readBirthDate(text) {
    const raw = text.trim().toLowerCase();
    if (!raw) return "";
    let m;
    const year = new Date().getFullYear();
    if ((m = raw.match(/^(\d{4})$/))) return m[1];
    if ((m = raw.match(/^(\d{4})-(\d{1,2})$/))) return `${MONTHS[+m[2] - 1] || "?"} ${m[1]}`;
    if ((m = raw.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/))) return `${+m[3]} ${MONTHS[+m[2] - 1] || "?"} ${m[1]}`;
    if ((m = raw.match(/^(\d{1,2})[./](\d{1,2})[./](\d{4})$/))) return `${+m[1]} ${MONTHS[+m[2] - 1] || "?"} ${m[3]}`;
    if ((m = raw.match(/^(\d{1,2})[./](\d{4})$/))) return `${MONTHS[+m[1] - 1] || "?"} ${m[2]}`;
    if ((m = raw.match(/^(?:age|возраст|տարիք)?\s*(\d{1,3})\s*(?:y|yrs|years|лет|года|год)?$/))) {
      return strings.about.replace("%(year)s", String(year - +m[1]));
    }
    return strings.not_a_date;
  }

  function showBirthReading(input) {
    const reading = readBirthDate(input.value);
    hint(input).textContent = reading;
    hint(input).classList.toggle("warn", reading === strings.not_a_date);
  }

  function toLatin(text) {
    let out = "";
    const chars = Array.from(text);
    chars.forEach((ch, i) => {
      const lower = ch.toLowerCase();
      const next = (chars[i + 1] || "").toLowerCase();
      const start = i === 0 || !/\p{L}/u.test(chars[i - 1]);
      let piece;
      if (lower === "ո" && next === "ւ") piece = "u";
      else if (lower === "ւ" && (chars[i - 1] || "").toLowerCase() === "ո") piece = "";
      else if (lower === "ե" && start) piece = "ye";
      else if (lower === "ո" && start) piece = "vo";
      else piece = tables.hy[lower] ?? tables.ru[lower] ?? lower;
      out += ch !== lower && piece ? piece[0].toUpperCase() + piece.slice(1) : piece;
    });
    return out;
  }

  function showLatin(input) {
    const text = input.value;
    hint(input).textContent = /[\u0530-\u058F\u0400-\u04FF]/.test(text) ? toLatin(text) : "";
  }

  function showNotice(text) {
    let notice = document.getElementById("desk-notice");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "desk-notice";
      notice.className = "notice";
      notice.setAttribute("role", "status");
      form.prepend(notice);
    }
    notice.textContent = text;
  }

  // Alt+P opens the card of the household just saved, ready to print.
  document.addEventListener("keydown", (event) => {
    const cardLink = document.getElementById("card-link");
    if (cardLink && event.altKey && (event.key === "p" || event.code === "KeyP")) {
      event.preventDefault();
      window.location.assign(cardLink.href);
    }
  });

  document.getElementById("add-member").addEventListener("click", () => addRow(true));
  form.addEventListener("submit", () => {
    for (const row of rows().slice(1)) if (isEmpty(row)) row.remove();
  });

  rows().forEach((row) => {
    ["given_name", "family_name"].forEach((n) => showLatin(field(row, n)));
    showBirthReading(field(row, "birth_date"));
  });
  const firstError = form.querySelector("[aria-invalid=true]");
  (firstError || field(focal(), "given_name")).focus();
})();

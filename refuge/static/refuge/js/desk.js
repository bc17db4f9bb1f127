// The registration desk: keyboard-first entry of a household in one screen.
// Works without this file (the form posts as-is); this makes it faster.
(function () {
  "use strict";
  const form = document.getElementById("desk-form");
  if (!form) return;
  const body = document.getElementById("members");
  const template = document.getElementById("member-row");
  const strings = JSON.parse(document.getElementById("desk-strings").textContent);
  const readings = JSON.parse(document.getElementById("desk-rules").textContent);

  const rows = () => Array.from(body.querySelectorAll("tr.member"));
  const field = (row, name) => row.querySelector(`[data-field="${name}"]`);
  const focal = () => rows()[0];
  let nextIndex = rows().length;

  function isEmpty(row) {
    return ["given_name", "family_name", "birth_date", "document_number"]
      .every((name) => !field(row, name) || !field(row, name).value.trim() ||
        field(row, name).dataset.prefilled === "1");
  }

  const sexOf = (row) => RefugeSex.read(field(row, "sex").value);

  function fatherName() {
    const first = focal();
    if (sexOf(first) === "M") return field(first, "given_name").value;
    for (const row of rows().slice(1)) {
      if (field(row, "relationship").value === "spouse" && sexOf(row) === "M") {
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

  // Saving works from anywhere on the page, whatever has the focus: a match's button,
  // the page itself after a panel redraw, a link.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save();
    }
  });

  let escapeArmed = 0;
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) return;
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
    if (target.dataset.field === "birth_date") {
      showBirthReading(target);
      guessDocumentKind(row);
    }
    if (target.dataset.field === "sex") {
      showSex(target);
      rows().slice(1).forEach(prefill);
    }
    if (target.dataset.field === "given_name" || target.dataset.field === "family_name") {
      showLatin(target);
    }
  });

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.dataset.field === "document_kind") target.dataset.chosen = "1";
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

  // How the desk reads what was typed, before saving ("about 2016"): the registry's own
  // rules (reading.js), so the screen says what will be stored.
  function showBirthReading(input) {
    const typed = input.value.trim();
    const birth = RefugeDates.parse(typed);
    hint(input).textContent = typed ? RefugeDates.reading(birth, {...readings,
      errors: strings.date_errors}) : "";
    hint(input).classList.toggle("warn", Boolean(birth.error));
  }

  // Armenian passports are issued at 16: a younger child's document is most likely a
  // birth certificate. A kind the registrar chose is never changed.
  const PASSPORT_AGE = 16;
  function guessDocumentKind(row) {
    const kind = field(row, "document_kind");
    const birth = RefugeDates.parse(field(row, "birth_date").value);
    if (!kind || kind.dataset.chosen === "1" || !birth.value) return;
    const born = new Date(birth.value), today = new Date();
    const age = today.getFullYear() - born.getFullYear() -
      (today < new Date(today.getFullYear(), born.getMonth(), born.getDate()) ? 1 : 0);
    kind.value = age < PASSPORT_AGE ? "birth_certificate" : "passport";
  }

  function showSex(input) {
    const sex = RefugeSex.read(input.value);
    hint(input).textContent = input.value.trim() ? (strings.sexes[sex] || strings.not_a_sex) : "";
    hint(input).classList.toggle("warn", !sex);
  }

  function showLatin(input) {
    const text = input.value;
    hint(input).textContent = /[\u0530-\u058F\u0400-\u04FF]/.test(text)
      ? RefugeNames.toLatin(text) : "";
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
    showSex(field(row, "sex"));
  });
  const firstError = form.querySelector("[aria-invalid=true]");
  (firstError || field(focal(), "given_name")).focus();
})();

// The desk asks the server, while the registrar types, whether anyone typed is registered
// already (/api/matching/check), shows each likely match with its evidence, and lets the
// registrar link the row to that person instead of registering them twice.
// With no network this stays quiet; the offline name index (offline.js) warns instead.
(function () {
  "use strict";
  const form = document.getElementById("desk-form");
  const panel = document.getElementById("desk-matches");
  if (!form || !panel) return;
  const strings = JSON.parse(document.getElementById("desk-strings").textContent);
  const body = document.getElementById("members");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const FIELDS = ["given_name", "family_name", "patronymic", "sex", "birth_date"];
  let timer = null, asked = 0;

  const rows = () => Array.from(body.querySelectorAll("tr.member"));
  const value = (row, name) => {
    const input = row.querySelector(`[data-field="${name}"]`);
    return input ? input.value.trim() : "";
  };
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => values[k]);

  function typed(row) {
    const member = {};
    FIELDS.forEach((name) => { member[name] = value(row, name); });
    member.document = value(row, "document_number");
    member.origin = (form.querySelector("[name=origin]") || { value: "" }).value.trim();
    return member;
  }

  function ask() {
    const all = rows();
    const members = all.map(typed);
    if (!navigator.onLine || !members.some((m) => m.given_name || m.family_name)) {
      return render(all, []);
    }
    const mine = ++asked;
    fetch("/api/matching/check", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ members: members.slice(0, 20) }),
    }).then((r) => (r.ok ? r.json() : null))
      .then((answer) => { if (answer && mine === asked) render(all, answer.members); })
      .catch(() => {});
  }

  function render(all, found) {
    panel.replaceChildren();
    all.forEach((row, i) => {
      const link = row.querySelector("[data-field=same_as]");
      const matches = found[i] || [];
      if (link && link.value) return panel.append(linked(row, i, link));
      matches.forEach((match) => panel.append(offer(row, i, match)));
    });
    panel.hidden = !panel.children.length;
  }

  function offer(row, i, match) {
    const item = document.createElement("div");
    item.className = "match";
    item.dataset.testid = "match";
    const heading = document.createElement("strong");
    heading.textContent = `${fill(strings.row, { n: i + 1 })} · ${strings.already}: ` +
      `${match.name}${match.latin_name ? " (" + match.latin_name + ")" : ""}, ` +
      `${match.born}, ${match.registration_number} · ${Math.round(match.probability * 100)}%`;
    const evidence = document.createElement("ul");
    match.evidence.forEach((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.label}: ${e.says} (${e.weight > 0 ? "+" : ""}${e.weight})`;
      evidence.append(li);
    });
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = strings.link;
    button.addEventListener("click", () => {
      row.querySelector("[data-field=same_as]").value = match.person;
      row.dataset.linkedNumber = match.registration_number;
      row.classList.add("linked");
      ask();
    });
    item.append(heading, evidence, button);
    return item;
  }

  function linked(row, i, link) {
    const item = document.createElement("div");
    item.className = "match linked";
    item.dataset.testid = "linked";
    item.textContent = `${fill(strings.row, { n: i + 1 })} · ` +
      fill(strings.linked, { number: row.dataset.linkedNumber || "" }) + " ";
    const undo = document.createElement("button");
    undo.type = "button";
    undo.textContent = strings.unlink;
    undo.addEventListener("click", () => {
      link.value = "";
      row.classList.remove("linked");
      ask();
    });
    item.append(undo);
    return item;
  }

  body.addEventListener("input", (event) => {
    // Typing over a linked row's names means it is someone else after all.
    const row = event.target.closest("tr.member");
    const link = row && row.querySelector("[data-field=same_as]");
    if (link && link.value && event.target.dataset.field !== "needs") {
      link.value = "";
      row.classList.remove("linked");
    }
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  body.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(ask, 300); });
})();

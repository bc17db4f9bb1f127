// The desk asks the server, while the registrar types, whether anyone typed is registered
// already (/api/matching/check), shows each likely match with its evidence, and lets the
// registrar link the row to that person (who stays in the household they belong to and
// is not registered twice) or, for a match the server is certain of, say it is a
// different person. When most of the people typed are one household registered before,
// it says so and offers to add the new members to it, to open it or to reprint its card.
// With no network this stays quiet; the offline name index (offline.js) warns instead.
(function () {
  "use strict";
  const form = document.getElementById("desk-form");
  const panel = document.getElementById("desk-matches");
  if (!form || !panel) return;
  const strings = JSON.parse(document.getElementById("desk-strings").textContent);
  const body = document.getElementById("members");
  const known = document.getElementById("household-known");
  const joining = document.getElementById("joining");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const FIELDS = ["given_name", "family_name", "patronymic", "sex", "birth_date"];
  let timer = null, asked = 0, lastTyped = null, answer = [];
  // Refused as a household registered already: once the check has shown it again, the
  // next keystroke is the registrar's choice of what to do with it.
  let refused = Boolean(form.querySelector("[data-refused=household]"));
  // The household's own choice, when there is one to make: add the new members to it, or
  // open it when nobody typed is new.
  const householdChoice = () => known && !known.hidden && known.querySelector(
    "[data-testid=add-new], [data-testid=open-registered]");

  const rows = () => Array.from(body.querySelectorAll("tr.member"));
  const input = (row, name) => row.querySelector(`[data-field="${name}"]`);
  const value = (row, name) => {
    const el = input(row, name);
    return el && el.dataset.prefilled !== "1" ? el.value.trim() : "";
  };
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => values[k]);
  const declared = (row) => (input(row, "not_same_as").value || "").split(/\s+/).filter(Boolean);
  // Rows the registrar has typed into: the desk's own prefilled names are not a person.
  const typedRows = () => rows().filter((row) => value(row, "given_name") ||
    value(row, "family_name") || value(row, "birth_date") || value(row, "document_number") ||
    input(row, "same_as").value);

  function typed(row) {
    const member = {};
    // A row with no given name is nobody yet: a family name alone matches whole families.
    if (!value(row, "given_name")) return member;
    FIELDS.forEach((name) => { member[name] = value(row, name); });
    member.family_name = input(row, "family_name").value.trim();
    member.patronymic = input(row, "patronymic").value.trim();
    member.document = value(row, "document_number");
    member.origin = (form.querySelector("[name=origin]") || { value: "" }).value.trim();
    return member;
  }

  function ask() {
    const all = rows();
    const members = all.map(typed);
    if (!navigator.onLine || !members.some((m) => m.given_name)) {
      answer = [];
      return render(all, []);
    }
    const mine = ++asked;
    fetch("/api/matching/check", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ members: members.slice(0, 20) }),
    }).then((r) => (r.ok ? r.json() : null))
      .then((found) => {
        if (found && mine === asked) { answer = found.members; render(all, answer); }
      })
      .catch(() => {});
  }

  function render(all, found) {
    panel.replaceChildren();
    all.forEach((row, i) => {
      const link = input(row, "same_as");
      if (link.value) return panel.append(linked(row, i));
      const apart = declared(row);
      (found[i] || []).forEach((match) => {
        if (apart.includes(match.person)) panel.append(keptApart(row, i, match));
        else panel.append(offer(row, i, match));
      });
    });
    panel.hidden = !panel.children.length;
    showHousehold();
  }

  function button(text, action, testid) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (testid) b.dataset.testid = testid;
    b.addEventListener("click", action);
    return b;
  }

  function offer(row, i, match) {
    const item = document.createElement("div");
    item.className = "match" + (match.certain ? " certain" : "");
    item.dataset.testid = "match";
    const heading = document.createElement("strong");
    heading.textContent = `${fill(strings.row, { n: i + 1 })} · ` +
      `${match.certain ? strings.certain : strings.already}: ` +
      `${match.name}${match.latin_name ? " (" + match.latin_name + ")" : ""}, ` +
      `${match.born}, ${match.registration_number} · ${Math.round(match.probability * 100)}%`;
    const evidence = document.createElement("ul");
    match.evidence.forEach((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.label}: ${e.says} (${e.weight > 0 ? "+" : ""}${e.weight})`;
      evidence.append(li);
    });
    item.append(heading, evidence, button(fill(strings.link, { number: match.registration_number }),
      () => linkRow(row, match), "link"));
    if (match.certain) {
      item.append(" ", button(strings.different, () => keepApart(row, match), "different"));
    }
    return item;
  }

  function linkRow(row, match, shown = true) {
    input(row, "same_as").value = match.person;
    Object.assign(row.dataset, { linkedNumber: match.registration_number,
      linkedName: match.name, linkedHousehold: match.household,
      linkedSize: String(match.household_size) });
    row.classList.add("linked");
    if (!shown) return;
    render(rows(), answer);
    refocus(row);
  }

  function keepApart(row, match) {
    const apart = declared(row);
    apart.push(match.person);
    input(row, "not_same_as").value = apart.join(" ");
    row.dataset["apart" + match.person.replaceAll("-", "")] = match.registration_number;
    render(rows(), answer);
    refocus(row);
  }

  function linked(row, i) {
    const item = document.createElement("div");
    item.className = "match linked";
    item.dataset.testid = "linked";
    item.textContent = fill(strings.linked, { n: i + 1, name: row.dataset.linkedName || "",
      number: row.dataset.linkedNumber || "" }) + " ";
    item.append(button(strings.unlink, () => {
      input(row, "same_as").value = "";
      row.classList.remove("linked");
      ask();
      input(row, "given_name").focus();
    }, "unlink"));
    return item;
  }

  function keptApart(row, i, match) {
    const item = document.createElement("div");
    item.className = "match apart";
    item.dataset.testid = "kept-apart";
    item.textContent = fill(strings.declared, { n: i + 1, name: match.name,
      number: match.registration_number }) + " ";
    item.append(button(strings.undo, () => {
      input(row, "not_same_as").value = declared(row).filter((p) => p !== match.person).join(" ");
      render(rows(), answer);
    }));
    return item;
  }

  // The registered person a row certainly is (the likeliest such match not declared a
  // different person), as the server counts them: only in a household of two or more.
  function certainOf(row, taken) {
    const i = rows().indexOf(row);
    const apart = declared(row);
    return (answer[i] || []).filter((m) => m.certain && !apart.includes(m.person) &&
      !taken.has(m.person)).sort((a, b) => b.probability - a.probability)[0];
  }

  // Most of the people typed are one household registered before, linked or certainly
  // theirs: it is not registered a second time. Otherwise, the people linked stay where
  // they are, and the others make a new household linked to theirs.
  function showHousehold() {
    if (!known) return;
    const counted = typedRows();
    const households = {};
    const count = (id, number, size, row, match) => {
      households[id] = households[id] || { count: 0, number: number, size: size, id: id,
        unlinked: [] };
      households[id].count += 1;
      if (match) households[id].unlinked.push([row, match]);
    };
    // Each registered person once: twins typed alike are not both counted as one.
    const taken = new Set(counted.map((row) => input(row, "same_as").value).filter(Boolean));
    counted.forEach((row) => {
      if (input(row, "same_as").value) {
        count(row.dataset.linkedHousehold, row.dataset.linkedNumber, row.dataset.linkedSize);
        return;
      }
      const match = counted.length > 1 && certainOf(row, taken);
      if (!match) return;
      taken.add(match.person);
      count(match.household, match.registration_number, String(match.household_size), row,
        match);
    });
    const all = Object.values(households).sort((a, b) => b.count - a.count);
    const most = all[0];
    known.replaceChildren();
    if (joining.value && (!most || joining.value === most.id)) {
      // Chosen here, or on the page the server sent back after "add the new members".
      const number = most ? most.number : known.dataset.joiningNumber;
      known.dataset.joiningNumber = number;
      known.append(paragraph(fill(strings.adding, { number: number })));
    } else if (most && 2 * most.count >= counted.length) {
      joining.value = "";
      known.append(paragraph(fill(strings.household_registered,
        { number: most.number, people: most.size }), "strong"));
      const actions = document.createElement("p");
      actions.className = "actions";
      const open = anchor(fill(strings.open, { number: most.number }), `/households/${most.id}/`);
      if (most.count < counted.length) {
        // The rows certainly theirs are linked as they are added: they stay in it.
        const add = button(fill(strings.add_new, { number: most.number }), () => {
          most.unlinked.forEach(([row, match]) => linkRow(row, match, false));
          joining.value = most.id;
          render(rows(), answer);
          const save = document.getElementById("save");
          if (save) save.focus();
        }, "add-new");
        add.classList.add("primary");
        actions.append(add, " ");
      } else {
        known.append(paragraph(strings.nobody_new));
        open.dataset.testid = "open-registered";
      }
      actions.append(open, " · ",
        anchor(strings.reprint, `/households/${most.id}/card/?print=1`));
      known.append(actions);
    } else if (most) {
      joining.value = "";
      known.append(paragraph(fill(strings.new_household,
        { numbers: all.map((h) => h.number).join(", ") })));
    } else {
      joining.value = "";
    }
    known.hidden = !known.children.length;
    const choice = householdChoice();
    if (refused && choice) {
      refused = false;
      choice.focus();
    }
  }

  function paragraph(text, tag) {
    const p = document.createElement("p");
    if (tag) {
      const inner = document.createElement(tag);
      inner.textContent = text;
      p.append(inner);
    } else {
      p.textContent = text;
    }
    return p;
  }

  function anchor(text, href) {
    const a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    return a;
  }

  // After a choice, the next keystroke goes where it makes sense: the household's own
  // choice when there is one to make, otherwise the field the registrar was typing in.
  function refocus(row) {
    const choice = householdChoice();
    if (choice) return choice.focus();
    const back = lastTyped && document.body.contains(lastTyped) ? lastTyped
      : input(row.nextElementSibling || row, "given_name");
    back.focus();
  }

  form.addEventListener("focusin", (event) => {
    if (event.target.matches("input:not([type=hidden]), select")) lastTyped = event.target;
  });
  body.addEventListener("input", (event) => {
    // Typing over a linked row's names means it is someone else after all.
    const row = event.target.closest("tr.member");
    const link = row && input(row, "same_as");
    if (link && link.value && event.target.dataset.field !== "needs") {
      link.value = "";
      row.classList.remove("linked");
    }
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  body.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(ask, 300); });
  // A row removed takes its warnings with it.
  new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(ask, 50); })
    .observe(body, { childList: true });
  if (typedRows().length) ask();
})();

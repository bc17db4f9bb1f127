// How the desk reads what a registrar types, by the registry's own rules: RefugeRules
// (served as /rules.js from refuge/registry/rules.py) carries the tables and patterns
// that refuge/lib/names.py, refuge/lib/dates.py and the registry's validation use, so a
// name, a birth date or a sex letter reads the same here as on the server. Tested on one
// table of inputs against Python (refuge/registry/tests/test_reading_browser.py).

// The Latin reading and the search key of a name, as refuge/lib/names.py makes them.
var RefugeNames = (function () {
  "use strict";
  var rules = RefugeRules.names;
  var ENDINGS = new RegExp(rules.endings);

  function stripAccents(text) { return text.normalize("NFKD").replace(/\p{M}/gu, ""); }

  function armenianWord(word) {
    var chars = Array.from(word), out = "";
    for (var i = 0; i < chars.length;) {
      var lower = chars[i].toLowerCase(), next = (chars[i + 1] || "").toLowerCase();
      var piece = null, step = 1;
      if (lower === "ո" && next === "ւ") { piece = "u"; step = 2; }
      else if (lower === "ե" && i === 0) piece = "ye";
      else if (lower === "ո" && i === 0) piece = "vo";
      else if (lower === "և") piece = i === 0 ? "yev" : "ev";
      else piece = rules.armenian[lower] !== undefined ? rules.armenian[lower] : lower;
      out += chars[i] !== lower && piece ? piece[0].toUpperCase() + piece.slice(1) : piece;
      i += step;
    }
    return out;
  }

  function cyrillicWord(word) {
    return Array.from(word).map(function (ch) {
      var lower = ch.toLowerCase();
      var piece = rules.cyrillic[lower] !== undefined ? rules.cyrillic[lower] : lower;
      return ch !== lower && piece ? piece[0].toUpperCase() + piece.slice(1) : piece;
    }).join("");
  }

  function toLatin(text) {
    return text.normalize("NFC").replace(/[\p{L}\p{N}_]+/gu, function (word) {
      var scripts = {};
      Array.from(word).forEach(function (ch) {
        if (!/\p{L}/u.test(ch)) return;
        scripts[/\p{Script=Armenian}/u.test(ch) ? "hy" : /\p{Script=Cyrillic}/u.test(ch) ? "ru"
          : /\p{Script=Latin}/u.test(ch) ? "latin" : "other"] = true;
      });
      var found = Object.keys(scripts);
      if (found.length === 1 && found[0] === "hy") return armenianWord(word);
      if (found.length === 1 && found[0] === "ru") return cyrillicWord(word);
      if (found.length === 0 || (found.length === 1 && found[0] === "other")) return word;
      return stripAccents(cyrillicWord(armenianWord(word)));
    });
  }

  function wordKey(word) {
    word = stripAccents(word);
    for (var i = 0; i < rules.russified_stems.length; i++) {
      var stem = rules.russified_stems[i];
      if (word.indexOf(stem[0]) === 0) { word = stem[1] + word.slice(stem[0].length); break; }
    }
    var ending = ENDINGS.test(word);
    word = word.replace(ENDINGS, "");
    rules.digraphs.forEach(function (d) { word = word.split(d[0]).join(d[1]); });
    word = Array.from(word).map(function (c) {
      return rules.sounds[c] !== undefined ? rules.sounds[c] : c;
    }).join("");
    if (!word) return "";
    var head = "aeiou".indexOf(word[0]) !== -1 ? "a" : word[0];
    var rest = Array.from(word.slice(1)).filter(function (c) { return "aeiou".indexOf(c) === -1; });
    return (head + rest.join("")).replace(/(.)\1+/g, "$1") + (ending ? "~" : "");
  }

  function searchKey(text) {
    var words = toLatin(text).toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
    return words.map(wordKey).filter(Boolean).join(" ");
  }

  return { searchKey: searchKey, toLatin: toLatin };
})();

// Birth dates as refuge/lib/dates.py reads them: {value: "YYYY-MM-DD" or null, precision},
// or {error: "not_a_date" | "not_real" | "future" | "too_old"}.
var RefugeDates = (function () {
  "use strict";
  var rules = RefugeRules.dates;
  var patterns = rules.patterns.map(function (p) {
    return { regex: new RegExp(p.regex, "i"), parts: p.parts };
  });

  function iso(y, m, d) {
    return String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0") + "-" +
      String(d).padStart(2, "0");
  }

  function yearsBefore(today, years) {
    var y = today.getFullYear() - years, m = today.getMonth(), d = today.getDate();
    if (m === 1 && d === 29 && new Date(y, 1, 29).getMonth() !== 1) d = 28;
    return new Date(y, m, d);
  }

  function fromAge(age, today) {
    if (age > rules.max_age) return { error: "too_old" };
    var birth = yearsBefore(today, age);
    birth.setDate(birth.getDate() - rules.days_past_birthday);
    return { value: iso(birth.getFullYear(), birth.getMonth() + 1, birth.getDate()),
             precision: "estimated" };
  }

  function checked(year, month, day, today) {
    var when = new Date(2000, 0, 1);
    when.setFullYear(year, (month || 1) - 1, day || 1);  // new Date(50, ...) means 1950
    if (year < 1 || when.getFullYear() !== year || when.getMonth() !== (month || 1) - 1 ||
        when.getDate() !== (day || 1)) {
      return { error: "not_real" };
    }
    if (when > today) return { error: "future" };
    if (today.getFullYear() - year > rules.max_age) return { error: "too_old" };
    return { value: iso(year, month || 1, day || 1),
             precision: day ? "day" : month ? "month" : "year" };
  }

  function parse(text, today) {
    today = today || new Date();
    today = new Date(today.getFullYear(), today.getMonth(), today.getDate());
    var raw = (text || "").trim();
    if (rules.unknown.indexOf(raw.toLowerCase()) !== -1) return { value: null, precision: "unknown" };
    for (var i = 0; i < patterns.length; i++) {
      var match = raw.match(patterns[i].regex);
      if (!match) continue;
      var parts = {};
      patterns[i].parts.forEach(function (name, j) {
        parts[name] = match[j + 1] ? parseInt(match[j + 1], 10) : null;
      });
      if ("age" in parts) return fromAge(parts.age, today);
      return checked(parts.year, parts.month, parts.day, today);
    }
    return { error: "not_a_date" };
  }

  // "14 April 1972", "about 2016", in the page's language (`strings` from the page).
  function reading(birth, strings) {
    if (birth.error) return strings.errors[birth.error];
    if (!birth.value) return strings.unknown;
    var year = +birth.value.slice(0, 4), month = +birth.value.slice(5, 7);
    var day = +birth.value.slice(8, 10);
    // With a day, the month's form for dates ("10 декабря 1939"), else its name alone.
    var months = birth.precision === "day" ? strings.months_in_dates : strings.months;
    return strings.readings[birth.precision].replace("%(day)s", day)
      .replace("%(month)s", months[month - 1]).replace("%(year)s", year);
  }

  return { parse: parse, reading: reading };
})();

// A sex typed as one letter on any keyboard layout (M F, Ա Ի, М Ж), as the registry's
// validation reads it: "M", "F", "U", or "" when it is not a sex letter.
var RefugeSex = (function () {
  "use strict";
  return {
    read: function (text) {
      var letter = (text || "").trim().toUpperCase();
      return RefugeRules.sex_letters[letter] || (letter ? "" : "U");
    },
  };
})();

// The search box: completions as you type (a combobox: arrow keys, Enter, Escape, mouse), and
// results as you type (the server-rendered page's #results swapped in). The page works the same
// without this script: the form submits on Enter and the server drops empty parameters.
(() => {
  const form = document.querySelector("form.search");
  const input = document.getElementById("q");
  const list = document.getElementById("q-suggestions");
  if (!form || !input || !window.fetch || !window.DOMParser) return;
  const WAIT_MS = 250, SUGGEST_MS = 60, WIDE = "(min-width: 52rem)";
  let timer = 0, suggestTimer = 0, controller = null, suggesting = null, shown = input.value.trim();
  let options = [], active = -1;

  function target() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim() && !(name === "sort" && value === "relevance")) params.append(name, value);
    }
    return "/?" + params.toString();
  }

  function openFacets() {  // beside the results on a wide screen; folded above them on a phone
    const facets = document.querySelector("details.facets");
    if (facets && window.matchMedia && window.matchMedia(WIDE).matches) facets.open = true;
  }

  async function update() {
    const wanted = input.value.trim();
    if (wanted === shown) return;
    if (controller) controller.abort();
    controller = new AbortController();
    const url = target();
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("results");
      const current = document.getElementById("results");
      if (!fresh || !current) return;
      current.replaceWith(document.adoptNode(fresh));
      document.title = page.title;
      history.replaceState(null, "", url);
      shown = wanted;
      openFacets();
    } catch (error) {
      if (error.name !== "AbortError") shown = "";  // keep what is shown; retry on the next key
    }
  }

  // --- completions: WAI-ARIA combobox with a listbox popup ---
  if (list) {
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
  }

  function close() {
    if (!list) return;
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function show(suggestions) {
    if (!list) return;
    if (!suggestions.length) return close();
    options = suggestions.map((text, i) => {
      const option = document.createElement("li");
      option.id = "q-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = text;
      option.addEventListener("pointerdown", event => {  // before the input loses focus
        event.preventDefault();
        choose(i);
      });
      return option;
    });
    list.replaceChildren(...options);
    list.hidden = false;
    active = -1;
    input.setAttribute("aria-expanded", "true");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    options.forEach((option, k) => option.setAttribute("aria-selected", k === i ? "true" : "false"));
    active = i;
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(i) {
    input.value = options[i].textContent;
    close();
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  async function suggest() {
    const typed = input.value;
    if (!list || !typed.trim()) return close();
    if (suggesting) suggesting.abort();
    suggesting = new AbortController();
    try {
      const response = await fetch("/api/suggest?q=" + encodeURIComponent(typed),
                                   { signal: suggesting.signal, headers: { Accept: "application/json" } });
      if (!response.ok) return close();
      const body = await response.json();
      if (input.value === typed && document.activeElement === input) show(body.suggestions || []);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("keydown", event => {
    const open = list && !list.hidden && options.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = active + step;
      highlight(next < -1 ? options.length - 1 : next >= options.length ? -1 : next);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();  // keep what is typed; only the list closes
      close();
    }
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    clearTimeout(suggestTimer);
    timer = setTimeout(update, WAIT_MS);
    suggestTimer = setTimeout(suggest, SUGGEST_MS);
  });
  input.addEventListener("blur", () => setTimeout(close, 100));

  // --- no empty parameters in the address: empty fields are not sent ---
  form.addEventListener("submit", () => {
    for (const field of form.elements) {
      if (!field.name) continue;
      const empty = !String(field.value).trim() || (field.name === "sort" && field.value === "relevance");
      if (empty) field.disabled = true;
    }
    setTimeout(() => { for (const field of form.elements) field.disabled = false; }, 0);  // back/forward cache
  });
  openFacets();
})();

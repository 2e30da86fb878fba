// Search as you type: fetch the server-rendered page for what is in the form and swap in
// its #results. The page works the same without this script (the form submits on Enter).
(() => {
  const form = document.querySelector("form.search");
  const input = document.getElementById("q");
  if (!form || !input || !window.fetch || !window.DOMParser) return;
  const WAIT_MS = 250;
  let timer = 0, controller = null, shown = input.value.trim();

  function target() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim() && !(name === "sort" && value === "relevance")) params.append(name, value);
    }
    return "/?" + params.toString();
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
    } catch (error) {
      if (error.name !== "AbortError") shown = "";  // keep what is shown; retry on the next key
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, WAIT_MS);
  });
})();

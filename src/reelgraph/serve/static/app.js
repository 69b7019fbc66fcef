// reelgraph web page: plain JavaScript over the JSON API, one render function per page.
"use strict";

const VIEW_COLOURS = ["#3b7dd8", "#e0893a", "#4caf7a", "#b05cc8", "#d64f5a", "#8c8c3e"];
const main = document.getElementById("main");

// -- helpers -------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) {
    // API errors are {"error": {message}}; /api/health says {"message"} when it has no build
    const message = (body.error && body.error.message) || body.message || response.statusText;
    throw new Error(`${response.status}: ${message}`);
  }
  return body;
}

function showError(error) {
  main.replaceChildren(el("p", { class: "error", id: "error-message" }, error.message));
}

function movieLink(movie) {
  const year = movie.year ? ` (${movie.year})` : "";
  const title = movie.title.endsWith(")") ? movie.title : movie.title + year;
  return el("a", { href: `/movies/${movie.movie_id}`, class: "movie-link" }, title);
}

function stats(movie) {
  const mean = movie.mean_rating === null ? "no ratings" : `mean ${movie.mean_rating.toFixed(2)}`;
  return el("span", { class: "muted" },
    ` ${movie.genres.join(", ") || "no genres"} · ${movie.n_ratings} ratings · ${mean}`);
}

// -- search box with suggestions -----------------------------------------------------------

function setupSearch() {
  const input = document.getElementById("search");
  const list = document.getElementById("suggestions");
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => suggest(input.value.trim()), 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && input.value.trim()) {
      location.href = `/?q=${encodeURIComponent(input.value.trim())}`;
    }
  });
  document.addEventListener("click", (event) => {
    if (!list.contains(event.target) && event.target !== input) list.hidden = true;
  });

  async function suggest(text) {
    asked = text;
    if (!text) { list.hidden = true; return; }
    const params = new URLSearchParams({ q: text, per_page: 8 });
    const answer = await api(`/api/movies/search?${params}`).catch(() => null);
    if (!answer || asked !== text) return;
    list.replaceChildren(...answer.results.map((movie) =>
      el("li", { role: "option" }, movieLink(movie), stats(movie))));
    if (!answer.results.length) list.replaceChildren(el("li", { class: "muted" }, "no match"));
    list.hidden = false;
  }
}

// -- pages ---------------------------------------------------------------------------------

async function renderHome() {
  const query = new URLSearchParams(location.search).get("q");
  if (query) return renderResults(query, Number(new URLSearchParams(location.search).get("page") || 1));
  const health = await api("/api/health");
  main.replaceChildren(
    el("h1", {}, "Explore the movie graph"),
    el("p", {}, `Build ${health.build_id}: ${health.counts.movies} movies, ` +
      `${health.counts.edges} similarity edges (k=${health.k_built}), recipe ${health.recipe} ` +
      `(${health.views.map((v) => `${v} ${health.weights[v]}`).join(", ")}), ` +
      `answered by ${health.backend}.`),
    el("p", {}, "Search a title above, or try ",
      el("a", { href: "/movies/1" }, "Toy Story"), ", ",
      el("a", { href: "/users/1" }, "user 1"), " or ",
      el("a", { href: "/liked" }, "recommendations from a few liked movies"), "."),
  );
}

async function renderResults(query, page) {
  const params = new URLSearchParams({ q: query, page, per_page: 20 });
  const answer = await api(`/api/movies/search?${params}`);
  const pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
  const nav = (p, label) => el("a", { href: `/?q=${encodeURIComponent(query)}&page=${p}` }, label);
  main.replaceChildren(
    el("h1", {}, `${answer.total} movies match “${query}”`),
    el("ol", { class: "results", start: (page - 1) * answer.per_page + 1 },
      answer.results.map((m) => el("li", {}, movieLink(m), stats(m)))),
    el("p", {}, page > 1 ? nav(page - 1, "← previous") : null, ` page ${page} of ${pages} `,
      page < pages ? nav(page + 1, "next →") : null),
  );
}

async function renderMovie(movieId) {
  const movie = await api(`/api/movies/${movieId}`);
  document.title = `${movie.title} · reelgraph`;
  const tags = [...movie.genome_tags.map((t) => t.tag), ...movie.user_tags.map((t) => t.tag)];
  const similarBox = el("section", { id: "similar" }, el("p", { class: "muted" }, "Loading..."));
  const graphBox = el("div", { id: "graph", "aria-label": "neighbourhood graph" });
  main.replaceChildren(
    el("h1", { id: "movie-title" }, movie.title),
    el("p", {}, stats(movie)),
    tags.length ? el("p", { class: "tags" }, tags.slice(0, 12).map((t) => el("span", {}, t))) : null,
    el("p", {}, el("a", { href: `/liked?ids=${movie.movie_id}`, id: "recommend-from" },
      "Recommendations for someone who liked this movie")),
    el("div", { class: "columns" },
      el("div", {}, el("h2", {}, "Similar movies"), similarForm(movie, similarBox), similarBox),
      el("div", {}, el("h2", {}, "Neighbourhood"),
        el("p", { class: "muted" }, "Its nearest neighbours and theirs; thicker edges score higher."),
        graphBox)),
  );
  await Promise.all([loadSimilar(movie.movie_id, similarBox, new URLSearchParams()),
    drawNeighbourhood(movie.movie_id, graphBox)]);
}

function similarForm(movie, box) {
  const k = el("input", { type: "number", name: "k", min: 1, max: 100, value: 10 });
  const genre = el("input", { type: "text", name: "genre", placeholder: "genre, e.g. Comedy" });
  const minRatings = el("input", { type: "number", name: "min_ratings", min: 0, value: 0 });
  const form = el("form", { class: "inline", id: "similar-form" },
    el("label", {}, "k ", k), el("label", {}, "genre ", genre),
    el("label", {}, "min ratings ", minRatings), el("button", { type: "submit" }, "Update"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ k: k.value, min_ratings: minRatings.value || 0 });
    if (genre.value.trim()) params.append("genre", genre.value.trim());
    loadSimilar(movie.movie_id, box, params).catch(showError);
  });
  return form;
}

async function loadSimilar(movieId, box, params) {
  const answer = await api(`/api/movies/${movieId}/similar?${params}`);
  const colour = Object.fromEntries(answer.views.map((v, i) => [v, VIEW_COLOURS[i % 6]]));
  const top = Math.max(1e-9, ...answer.similar.map((s) => s.score));
  const legend = el("p", { class: "legend" }, answer.views.map((v) =>
    el("span", {}, el("i", { style: `background:${colour[v]}` }), ` ${v} (weight ${answer.weights[v]})`)));
  const rows = answer.similar.map((s) => el("li", { class: "similar-item" },
    el("div", {}, movieLink(s), el("span", { class: "score" }, s.score.toFixed(3))),
    el("div", { class: "bar", title: barTitle(s, answer.views) }, answer.views.map((v) =>
      el("span", { style: `width:${(100 * Math.max(0, s.contributions[v])) / top}%;` +
        `background:${colour[v]}`, "data-view": v }))),
    stats(s)));
  box.replaceChildren(legend, rows.length ? el("ol", { class: "similar" }, rows)
    : el("p", { class: "muted" }, "No similar movie passes these filters."));
}

function barTitle(similar, views) {
  return views.map((v) => `${v}: ${similar.contributions[v].toFixed(3)}`).join("\n");
}

// On-screen label size (px) by hop: the same whatever the zoom, so labels stay readable when
// the graph is shrunk to fit; the label width is capped (ellipsis) so neighbours do not overlap.
const LABEL_PX = [15, 13, 12];
const LABEL_WIDTH_PX = 150;

function scaleLabels(cy) {
  const zoom = cy.zoom();
  cy.batch(() => cy.nodes().forEach((node) => {
    const px = LABEL_PX[Math.min(node.data("hop"), LABEL_PX.length - 1)];
    node.style({ "font-size": px / zoom, "text-max-width": LABEL_WIDTH_PX / zoom,
      "text-margin-y": 3 / zoom });
  }));
}

async function drawNeighbourhood(movieId, box) {
  const graph = await api(`/api/movies/${movieId}/neighbourhood?k=8&depth=2`);
  const scores = graph.edges.map((e) => e.score);
  const low = Math.min(...scores);
  const high = Math.max(...scores);
  const width = (score) => 1 + (7 * (score - low)) / Math.max(1e-9, high - low);
  const elements = [
    ...graph.nodes.map((n) => ({ data: { id: String(n.movie_id), label: n.title, hop: n.hop } })),
    ...graph.edges.map((e) => ({ data: { id: `${e.source}-${e.target}`, source: String(e.source),
      target: String(e.target), width: width(e.score), score: e.score } })),
  ];
  const cy = cytoscape({
    container: box,
    elements,
    maxZoom: 1.3,
    minZoom: 0.2,
    layout: { name: "concentric", concentric: (n) => 3 - n.data("hop"), levelWidth: () => 1,
      minNodeSpacing: 110, spacingFactor: 1.5, padding: 40, animate: false },
    style: [
      { selector: "node", style: { label: "data(label)", width: 14, height: 14,
        "background-color": "#7a8ca8", "text-wrap": "ellipsis", "text-valign": "bottom",
        "text-background-color": "#fbfcfe", "text-background-opacity": 0.85,
        "text-background-padding": 1 } },
      { selector: "node[hop = 0]", style: { "background-color": "#d64f5a", width: 24, height: 24,
        "font-weight": "bold" } },
      { selector: "node[hop = 1]", style: { "background-color": "#3b7dd8", width: 18, height: 18 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#b9c3d3", opacity: 0.8,
        "curve-style": "bezier", "target-arrow-shape": "triangle",
        "target-arrow-color": "#b9c3d3", "arrow-scale": 0.6 } },
    ],
  });
  scaleLabels(cy);
  cy.on("zoom", () => scaleLabels(cy));
  cy.on("tap", "node", (event) => { location.href = `/movies/${event.target.id()}`; });
  window.reelgraphGraph = cy;  // lets tests and curious users inspect the drawing
  box.dataset.nodes = String(graph.nodes.length);
  box.dataset.edges = String(graph.edges.length);
}

function recommendationList(answer) {
  const notice = answer.fallback ? el("p", { class: "notice", id: "fallback" }, answer.fallback) : null;
  const items = answer.recommendations.map((r) => el("li", { class: "recommendation" },
    el("div", {}, movieLink(r), r.score === null ? null
      : el("span", { class: "score" }, r.score.toFixed(3))),
    stats(r),
    r.because.length ? el("details", { class: "because" },
      el("summary", {}, `because you liked ${r.because[0].title}` +
        (r.n_because > 1 ? ` and ${r.n_because - 1} more` : "")),
      el("ul", {}, r.because.map((b) => el("li", {}, movieLink(b),
        el("span", { class: "score" }, ` +${b.contribution.toFixed(3)}`),
        el("span", { class: "muted" }, sharedText(b)))))) : null));
  return [notice, el("ol", { class: "recommendations" }, items)];
}

function sharedText(reason) {
  const parts = [];
  if (reason.shared_genres.length) parts.push(`genres: ${reason.shared_genres.join(", ")}`);
  if (reason.shared_tags.length) parts.push(`tags: ${reason.shared_tags.join(", ")}`);
  return parts.length ? ` · shares ${parts.join("; ")}` : "";
}

async function renderUser(userId) {
  const [user, recs] = await Promise.all([api(`/api/users/${userId}?top=10`),
    api(`/api/users/${userId}/recommendations?k=10`)]);
  document.title = `User ${userId} · reelgraph`;
  main.replaceChildren(
    el("h1", {}, `User ${user.user_id}`),
    el("p", { class: "muted" }, `${user.n_ratings} ratings, mean ${user.mean_rating.toFixed(2)}, ` +
      `${user.n_liked} liked (rated 4.0 or more)`),
    el("div", { class: "columns" },
      el("div", {}, el("h2", {}, "Top rated"), el("ol", { class: "top-rated" },
        user.top_rated.map((m) => el("li", {}, movieLink(m), ` ★ ${m.rating}`, stats(m))))),
      el("div", { id: "recommendations" }, el("h2", {}, "Recommended"), recommendationList(recs))),
  );
}

async function renderLiked() {
  const ids = (new URLSearchParams(location.search).get("ids") || "").split(",")
    .map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const chosen = new Map();
  const chips = el("ul", { class: "chips", id: "liked-list" });
  const input = el("input", { type: "search", id: "liked-search", placeholder: "add a movie you liked" });
  const options = el("ul", { class: "options", id: "liked-options" });
  const result = el("div", { id: "recommendations" });
  const button = el("button", { type: "button", id: "liked-go" }, "Recommend");
  main.replaceChildren(el("h1", {}, "Recommendations from movies you liked"),
    el("p", { class: "muted" }, "Pick a few movies; the graph walk starts from them."),
    input, options, chips, button, result);

  const redraw = () => chips.replaceChildren(...[...chosen.values()].map((m) => el("li", {},
    m.title, el("button", { type: "button", title: "remove",
      onclick: () => { chosen.delete(m.movie_id); redraw(); } }, "×"))));
  for (const id of ids) chosen.set(id, await api(`/api/movies/${id}`).catch(() => ({ movie_id: id, title: `#${id}` })));
  redraw();

  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (!text) { options.replaceChildren(); return; }
      const answer = await api(`/api/movies/search?${new URLSearchParams({ q: text, per_page: 6 })}`);
      options.replaceChildren(...answer.results.map((m) => el("li", {},
        el("button", { type: "button", onclick: () => {
          chosen.set(m.movie_id, m); redraw(); options.replaceChildren(); input.value = "";
        } }, "+ ", m.title), stats(m))));
    }, 150);
  });
  button.addEventListener("click", async () => {
    if (!chosen.size) { result.replaceChildren(el("p", { class: "error" }, "Pick at least one movie.")); return; }
    history.replaceState(null, "", `/liked?ids=${[...chosen.keys()].join(",")}`);
    try {
      const answer = await api("/api/recommendations", { method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ liked: [...chosen.keys()], k: 10 }) });
      result.replaceChildren(el("h2", {}, "Recommended"), ...recommendationList(answer).filter(Boolean));
    } catch (error) {
      result.replaceChildren(el("p", { class: "error" }, error.message));
    }
  });
  if (chosen.size) button.click();
}

// -- routing -------------------------------------------------------------------------------

function route() {
  const path = location.pathname;
  let match;
  if ((match = path.match(/^\/movies\/(\d+)$/))) return renderMovie(Number(match[1]));
  if ((match = path.match(/^\/users\/(\d+)$/))) return renderUser(Number(match[1]));
  if (path === "/liked") return renderLiked();
  return renderHome();
}

setupSearch();
document.getElementById("user-jump").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = document.getElementById("user-id").value;
  if (id) location.href = `/users/${id}`;
});
route().catch(showError);

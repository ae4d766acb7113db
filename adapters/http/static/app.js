/* Interview practice: the web chat page.
 *
 * Plain JavaScript, no build step and nothing loaded from elsewhere. It talks to
 * the same API as any other client (see the README's HTTP API section): start a session, stream
 * each answer's reply from POST /chat/stream, and draw the report's scores as SVG.
 * Spoken answers (the Record button) live in voice.js.
 * A random practice id, kept in localStorage, ties this browser's interviews into
 * a history (GET /history) that the user can delete (DELETE /history). The interview
 * in progress is remembered per tab (a reload resumes it) and, while it is open, for
 * the whole browser: a new tab picks it up from GET /sessions/{id}.
 * Text from the server is always inserted as text (never as HTML).
 */
"use strict";

const TOKEN_KEY = "interview.apiToken";
const SESSION_KEY = "interview.sessionId";
const OPEN_KEY = "interview.openSessionId"; // the browser's interview in progress, for new tabs
const USER_KEY = "interview.userId";
const SVG_NS = "http://www.w3.org/2000/svg";

const KIND_LABELS = {
  greeting: "Welcome", question: "Question", follow_up: "Follow-up", clarify: "Clarification",
  steer: "Back to the question", warning: "Warning", hint: "Hint", notice: "Note",
  feedback: "Wrap-up", ended: "Interview ended", error: "Error",
};
// What the engine read in an answer, in words a candidate would use.
const PERSONA_LABELS = {
  confused: "read as unsure", efficient: "read as concise", chatty: "read as long-winded",
  off_topic: "read as off topic", abusive: "read as inappropriate",
};
const SCORE_LABELS = { communication: "Communication", technical: "Technical depth", structure: "Structure" }; // as core.presentation
const TREND_LABELS = {
  improving: "↑ improving", flat: "→ flat", slipping: "↓ slipping", too_early: "not enough interviews yet",
};
const STAR_LABELS = {
  situation: "Situation", task: "Task", action: "Action", result: "Result",
  quantified_result: "Numbers in the result",
};

// The API's own words name endpoints; on the page, say it in terms of its buttons.
const PAGE_MESSAGES = {
  session_not_found: "This interview is no longer available (it expired or was deleted). Start a new one below.",
  interview_ended: "This interview has ended. Press “Get feedback” to see your report.",
};

const $ = (id) => document.getElementById(id);

/* localStorage may be unavailable (some private modes): then only this tab remembers. */
const shared = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* this tab only */ } },
  remove(key) { try { localStorage.removeItem(key); } catch { /* nothing stored */ } },
};

const state = {
  sessionId: sessionStorage.getItem(SESSION_KEY) || shared.get(OPEN_KEY),
  roles: [],
  busy: false,
  over: false,
  report: null,
  retry: null, // what to do once a token is saved
  chartUrl: null, // the history chart's object URL, released when replaced
};

/* ------------------------------------------------------------------ practice identity */

/* A random id, made once and kept in localStorage: the key to this browser's history.
 * Without localStorage (some private modes) interviews are anonymous and there is no history. */
function practiceUserId() {
  try {
    let id = localStorage.getItem(USER_KEY);
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16)); // works on plain http too
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem(USER_KEY, id);
    }
    return id;
  } catch {
    return null;
  }
}

function dropPracticeUserId() {
  try { localStorage.removeItem(USER_KEY); } catch { /* nothing stored */ }
}

/* ------------------------------------------------------------------ API */

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  static async from(response) {
    let body = {};
    try { body = await response.json(); } catch { /* not JSON: use the status */ }
    const detail = body.detail || `The server answered ${response.status}. Please try again.`;
    return new ApiError(response.status, body.error || `http_${response.status}`, detail);
  }
}

function headers(withBody) {
  const result = { Accept: "application/json" };
  if (withBody) result["Content-Type"] = "application/json";
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method, headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach the server. Check that it is running and try again.");
  }
  if (!response.ok) throw await ApiError.from(response);
  return response;
}

async function send(method, path, body) {
  return (await request(method, path, body)).json();
}

const withUser = (path, userId) => `${path}?user_id=${encodeURIComponent(userId)}`;

const api = {
  roles: () => send("GET", "/roles"),
  start: (options) => send("POST", "/start_session", options),
  hint: (sessionId) => send("POST", "/hint", { session_id: sessionId }),
  skip: (sessionId) => send("POST", "/skip", { session_id: sessionId }),
  feedback: (sessionId) => send("POST", "/feedback", { session_id: sessionId }),
  session: (sessionId) => send("GET", `/sessions/${encodeURIComponent(sessionId)}`),
  history: (userId) => send("GET", withUser("/history", userId)),
  forget: (userId) => send("DELETE", withUser("/history", userId)),
  // Fetched (not an <img src>) so that the API token goes with it.
  historyChart: async (userId) => (await request("GET", withUser("/history/chart.png", userId))).blob(),

  /* POST /chat/stream: `delta` events carry text as it is written; `reply` is the final turn. */
  chatStream(sessionId, message, onDelta) {
    return streamTurn({ headers: headers(true), body: JSON.stringify({ session_id: sessionId, message }) },
      { onDelta }, "Your answer is still in the box: send it again.");
  },

  /* The same with a recording (multipart): a `heard` event (the transcript) comes first. */
  chatAudioStream(sessionId, recording, filename, handlers) {
    const form = new FormData();
    form.append("session_id", sessionId);
    form.append("audio", recording, filename);
    return streamTurn({ headers: headers(false), body: form }, handlers,
      "Your recording is kept on this page: send it again.");
  },
};

async function streamTurn(init, { onDelta, onHeard }, retryHint) {
  let response;
  try {
    response = await fetch("/chat/stream", { method: "POST", ...init });
  } catch {
    throw new ApiError(0, "network", `Can't reach the server. ${retryHint}`);
  }
  if (!response.ok) throw await ApiError.from(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event.type === "heard" && onHeard) onHeard(event.data);
      if (event.type === "delta" && onDelta) onDelta(event.data.text);
      if (event.type === "error") throw new ApiError(event.data.status, event.data.error, event.data.detail);
      if (event.type === "reply") return event.data;
    }
  }
  throw new ApiError(0, "stream_closed", "The connection closed before the interviewer replied. Please send your answer again.");
}

function parseEvent(frame) {
  let type = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  return { type, data: data.length ? JSON.parse(data.join("\n")) : {} };
}

/* ------------------------------------------------------------------ small DOM helpers */

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/* Server text may use **bold** (e.g. "**Question 2 of 5**"); everything else stays plain text. */
function richText(node, text) {
  node.replaceChildren();
  text.split(/\*\*(.+?)\*\*/g).forEach((part, index) => {
    node.append(index % 2 ? el("strong", {}, part) : part);
  });
  return node;
}

function showAlert(message) {
  const alert = $("alert");
  alert.textContent = message;
  alert.hidden = false;
}

function clearAlert() {
  $("alert").hidden = true;
  $("alert").textContent = "";
}

function setBusy(busy) {
  state.busy = busy;
  $("log").setAttribute("aria-busy", String(busy));
  $("forget-button").disabled = busy;
  for (const id of ["send-button", "hint-button", "skip-button", "end-button", "start-button", "record-button"]) {
    $(id).disabled = busy || (state.over && id !== "end-button" && id !== "start-button");
  }
  $("answer").disabled = busy || state.over;
}

/* Every action goes through here: errors become a friendly alert, 401 asks for a token. */
async function attempt(action, onError) {
  clearAlert();
  setBusy(true);
  try {
    await action();
  } catch (error) {
    if (onError) onError(error);
    // Once a token is saved, repeat the request; a turn whose bubbles were undone is left
    // for the user to send again (the answer is back in the box).
    if (error.status === 401) askForToken(onError ? null : () => attempt(action));
    showAlert(PAGE_MESSAGES[error.code] || error.message || "Something went wrong. Please try again.");
    if (error.code === "session_not_found") backToSetup();
    if (error.code === "interview_ended") {
      state.over = true; // e.g. ended in another tab: only the report is left to fetch
      finishWithoutReport();
    }
  } finally {
    setBusy(false);
  }
}

/* ------------------------------------------------------------------ token */

function askForToken(retry) {
  state.retry = retry;
  $("token-button").hidden = false; // the server uses a token: let the user change it later
  $("token-panel").hidden = false;
  $("token-input").focus();
}

function saveToken(event) {
  event.preventDefault();
  const token = $("token-input").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("token-input").value = "";
  $("token-panel").hidden = true;
  clearAlert();
  const retry = state.retry;
  state.retry = null;
  if (retry) retry();
}

/* ------------------------------------------------------------------ setup */

async function loadRoles() {
  await attempt(async () => {
    const data = await api.roles();
    state.roles = data.roles;
    const select = $("role");
    select.replaceChildren(el("option", { value: "" }, "Choose a role…"));
    for (const role of data.roles) select.append(el("option", { value: role.id }, role.name));
    const limits = data.questions;
    Object.assign($("questions"), { min: limits.min, max: limits.max });
    $("start-button").disabled = false;
  });
}

function describeRole() {
  const role = state.roles.find((r) => r.id === $("role").value);
  $("role-summary").textContent = role ? role.summary : "";
}

function readOptions() {
  const form = $("setup-form");
  const customQuestions = $("custom-questions").value.split("\n").map((q) => q.trim()).filter(Boolean);
  const options = {
    role: $("role").value,
    difficulty: form.elements.difficulty.value,
    questions: Number($("questions").value),
    focus: $("focus").value,
    context: $("context").value,
    custom_questions: customQuestions,
  };
  const userId = practiceUserId();
  if (userId) options.user_id = userId;
  return options;
}

async function startInterview(event) {
  event.preventDefault();
  if (!$("setup-form").reportValidity()) return;
  const options = readOptions();
  await attempt(async () => {
    const reply = await api.start(options);
    rememberSession(reply.session_id);
    openInterview();
    renderReply(reply);
    $("answer").focus();
  });
}

function rememberSession(sessionId) {
  state.sessionId = sessionId;
  sessionStorage.setItem(SESSION_KEY, sessionId);
  shared.set(OPEN_KEY, sessionId); // another tab of this browser can rejoin it
}

/* The interview is over: this tab keeps it (a reload shows the report), new tabs start afresh. */
function closeSession() {
  if (shared.get(OPEN_KEY) === state.sessionId) shared.remove(OPEN_KEY);
}

function forgetSession() {
  closeSession();
  state.sessionId = null;
  sessionStorage.removeItem(SESSION_KEY);
}

function openInterview() {
  state.over = false;
  state.report = null;
  $("log").replaceChildren();
  $("setup").hidden = true;
  $("report").hidden = true;
  $("interview").hidden = false;
  $("interview").classList.remove("over");
  $("end-button").textContent = "End & get feedback";
}

/* ------------------------------------------------------------------ conversation */

function addMessage(speaker, text, label) {
  const body = richText(el("div", { class: "body" }), text);
  const meta = el("div", { class: "meta" }, speaker === "candidate" ? "You" : "Interviewer");
  if (label) meta.append(el("span", { class: "tag" }, label));
  const item = el("li", { class: `msg ${speaker}` }, meta, body);
  $("log").append(item);
  item.scrollIntoView({ block: "nearest" });
  return item;
}

function kindLabel(reply) {
  if (reply.kind === "question" && reply.question_index) {
    return `Question ${reply.question_index} of ${reply.question_total}`;
  }
  return KIND_LABELS[reply.kind] || reply.kind;
}

function markPersona(item, persona) {
  if (!item || !persona || !PERSONA_LABELS[persona]) return;
  item.querySelector(".meta").append(el("span", { class: "tag persona" }, PERSONA_LABELS[persona]));
}

function updateProgress(reply) {
  if (!reply.question_total) return;
  const done = state.over ? reply.question_total : reply.question_index - 1;
  $("progress").max = reply.question_total;
  $("progress").value = done;
  $("progress-text").textContent = state.over
    ? "Interview complete"
    : `Question ${reply.question_index} of ${reply.question_total}`;
}

/* Render one turn: its message, progress, and the report or end state when it has one. */
function renderReply(reply, bubble) {
  const item = bubble || addMessage("interviewer", reply.text, kindLabel(reply));
  if (bubble) {
    richText(bubble.querySelector(".body"), reply.text); // the final text replaces the preview
    bubble.classList.remove("pending");
    bubble.querySelector(".meta .tag").textContent = kindLabel(reply);
  }
  state.over = reply.actions.length === 0;
  updateProgress(reply);
  if (reply.report) showReport(reply.report);
  else if (state.over) finishWithoutReport();
  return item;
}

function finishWithoutReport() {
  closeSession();
  $("interview").classList.add("over");
  $("end-button").textContent = "Get feedback";
}

async function sendAnswer(event) {
  if (event) event.preventDefault();
  if (state.busy || state.over) return;
  const input = $("answer");
  const text = input.value;
  if (!text.trim()) {
    showAlert("Type an answer first, or use Hint or Skip.");
    input.focus();
    return;
  }
  const mine = addMessage("candidate", text);
  const pending = addMessage("interviewer", "", "Writing…");
  pending.classList.add("pending");
  input.value = "";
  let preview = "";
  await attempt(async () => {
    const reply = await api.chatStream(state.sessionId, text, (delta) => {
      preview += delta;
      richText(pending.querySelector(".body"), preview);
    });
    renderReply(reply, pending);
    markPersona(mine, reply.persona);
  }, () => {
    // Nothing was saved: take the answer back into the box so it can be sent again.
    mine.remove();
    pending.remove();
    input.value = text;
  });
  if (!state.over) input.focus();
}

function answerKeys(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendAnswer();
  }
}

async function askHint() {
  await attempt(async () => renderReply(await api.hint(state.sessionId)));
}

async function skipQuestion() {
  const mine = addMessage("candidate", "(skipped)");
  await attempt(async () => renderReply(await api.skip(state.sessionId)), () => mine.remove());
}

async function endInterview() {
  await attempt(async () => {
    const report = await api.feedback(state.sessionId);
    addMessage("interviewer", "Thanks for practising. Here is your feedback.", KIND_LABELS.feedback);
    state.over = true;
    showReport(report);
  });
}

/* ------------------------------------------------------------------ resume after a reload */

/* The tab's own interview after a reload, or the browser's open one in a new tab. */
async function resumeSession() {
  if (!state.sessionId) return;
  try {
    const view = await api.session(state.sessionId);
    sessionStorage.setItem(SESSION_KEY, state.sessionId); // this tab's interview from now on
    openInterview();
    for (const entry of view.transcript) {
      const label = entry.speaker === "interviewer" ? KIND_LABELS[entry.kind] : null;
      const item = addMessage(entry.speaker, entry.text, label);
      if (entry.speaker === "candidate") markPersona(item, entry.persona);
    }
    const status = view.status;
    state.over = view.state !== "active";
    updateProgress({ question_index: status.question_index, question_total: status.question_total });
    if (view.report) showReport(view.report);
    else if (state.over) finishWithoutReport();
  } catch (error) {
    // A new tab has no API token yet: ask for it, then load the roles and rejoin.
    if (error.status === 401) askForToken(() => loadRoles().then(resumeSession));
    else if (error.status === 404) forgetSession(); // expired or deleted: start afresh
    else showAlert(error.message); // e.g. the server is down: the interview is still there
  }
}

/* ------------------------------------------------------------------ report */

function showReport(report) {
  closeSession();
  state.report = report;
  state.over = true;
  $("interview").classList.add("over");
  $("progress-text").textContent = "Interview complete";
  $("report-meta").textContent = `${report.role} · ${report.difficulty} · ${report.answered} answered`;
  $("report-summary").textContent = report.summary;
  $("report-notice").hidden = !report.notice;
  $("report-notice").textContent = report.notice || "";
  renderReasons(report.scores);
  renderPoints($("strengths"), report.strengths, "No clear strengths yet: answer a few questions fully.");
  renderPoints($("weaknesses"), report.weaknesses, "Nothing major to work on.");
  renderReviews(report.questions);
  renderDelivery(report.delivery); // voice.js: how spoken answers sounded, apart from the scores
  $("adaptation").textContent = report.adaptation || "No adaptation was needed.";
  $("next-steps").replaceChildren(...report.next_steps.map((step) => el("li", {}, step)));
  $("report").hidden = false;
  drawCharts(report); // once visible, so the charts can take the width they are given
  $("report").scrollIntoView({ block: "start" });
  $("report").focus({ preventScroll: true });
}

function drawCharts(report) {
  const overall = report.scores
    ? Object.entries(SCORE_LABELS).map(([key, label]) => ({
        label, score: report.scores[key].score, title: report.scores[key].reason,
      }))
    : [];
  const perQuestion = report.questions.map((q, index) => ({
    label: `Q${index + 1}`, score: q.score, title: q.question,
    empty: q.skipped ? "skipped" : "unanswered",
  }));
  // One layout for both charts, so their bars start and end at the same place.
  const rows = [...overall, ...perQuestion];
  const layout = {
    labelWidth: textWidth(rows.map((row) => row.label), "600") + 16,
    valueWidth: textWidth(rows.map(valueText), "700") + 16,
  };
  const placeholder = "No scores: no question was answered.";
  $("score-chart").replaceChildren(overall.length ? barChart(overall, "Overall scores", layout) : el("p", { class: "help" }, placeholder));
  $("question-chart").replaceChildren(perQuestion.length ? barChart(perQuestion, "Score per question", layout) : el("p", { class: "help" }, placeholder));
}

function valueText(row) {
  return row.score ? `${row.score}/5` : row.empty;
}

/* A horizontal bar chart on the anchored 1-5 scale, drawn as SVG (readable by screen readers). */
function barChart(rows, caption, { labelWidth, valueWidth }) {
  // Drawn at the container's own width (1 unit = 1 CSS pixel) so text stays readable on phones.
  const width = Math.max(280, Math.min(720, $("score-chart").clientWidth || 640));
  const plotWidth = width - labelWidth - valueWidth;
  const rowHeight = 34, top = 24, barHeight = 20;
  const height = top + rows.length * rowHeight + 6;
  const x = (score) => labelWidth + (score / 5) * plotWidth;
  const description = rows.map((r) => `${r.label}: ${r.score ? `${r.score} out of 5` : r.empty}`).join("; ");
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `${caption}. ${description}.`, class: "bar-chart",
  });
  for (let tick = 0; tick <= 5; tick += 1) {
    chart.append(svg("line", { x1: x(tick), x2: x(tick), y1: top - 6, y2: height - 4, class: "grid" }));
    chart.append(svg("text", { x: x(tick), y: top - 10, class: "tick", "text-anchor": "middle" }, String(tick)));
  }
  rows.forEach((row, index) => {
    const y = top + index * rowHeight + (rowHeight - barHeight) / 2;
    const group = svg("g", { class: "bar-row" });
    group.append(svg("title", {}, row.title || row.label));
    group.append(svg("text", { x: labelWidth - 10, y: y + barHeight / 2, class: "label", "text-anchor": "end", "dominant-baseline": "middle" }, row.label));
    group.append(svg("rect", { x: labelWidth, y, width: plotWidth, height: barHeight, rx: 4, class: "track" }));
    if (row.score) {
      group.append(svg("rect", { x: labelWidth, y, width: x(row.score) - labelWidth, height: barHeight, rx: 4, class: `bar ${scoreBand(row.score)}` }));
    }
    const value = valueText(row);
    group.append(svg("text", { x: labelWidth + plotWidth + 10, y: y + barHeight / 2, class: row.score ? "value" : "value muted", "dominant-baseline": "middle" }, value));
    chart.append(group);
  });
  return chart;
}

/* The widest of some texts in the chart's font, so labels are never clipped. */
function textWidth(texts, weight) {
  const context = (textWidth.canvas ||= document.createElement("canvas")).getContext("2d");
  context.font = `${weight} 14px ${getComputedStyle(document.body).fontFamily}`;
  return Math.ceil(Math.max(...texts.map((text) => context.measureText(text).width)));
}

let redrawTimer = null;
function redrawChartsSoon() {
  if (!state.report) return;
  clearTimeout(redrawTimer);
  redrawTimer = setTimeout(() => drawCharts(state.report), 150);
}

function scoreBand(score) {
  if (score >= 4) return "high";
  return score >= 3 ? "mid" : "low";
}

function renderReasons(scores) {
  const list = $("score-reasons");
  list.replaceChildren();
  if (!scores) return;
  for (const [key, label] of Object.entries(SCORE_LABELS)) {
    list.append(el("dt", {}, `${label} ${scores[key].score}/5`), el("dd", {}, scores[key].reason));
  }
}

function renderPoints(list, points, emptyText) {
  list.replaceChildren();
  if (!points.length) list.append(el("li", { class: "help" }, emptyText));
  for (const item of points) {
    list.append(el("li", {}, el("p", {}, item.point), el("blockquote", {}, item.evidence)));
  }
}

function renderReviews(questions) {
  const container = $("question-reviews");
  container.replaceChildren();
  questions.forEach((q, index) => {
    const score = q.score ? `${q.score}/5` : q.skipped ? "skipped" : "not answered";
    const summary = el("summary", {},
      el("span", { class: `pill ${q.score ? scoreBand(q.score) : "none"}` }, score),
      ` Q${index + 1}. ${q.question}`);
    const body = el("div", { class: "review-body" });
    if (q.answer_excerpt) body.append(el("blockquote", {}, q.answer_excerpt));
    body.append(starChips(q.star));
    body.append(el("p", { class: "help" }, `Specificity: ${q.specificity} · Ownership: ${q.ownership.replace("_", " ")}`));
    if (q.note) body.append(el("p", {}, q.note));
    if (q.stronger_answer) {
      body.append(el("p", { class: "stronger-title" }, "A stronger answer could go:"), el("p", { class: "stronger" }, q.stronger_answer));
    }
    container.append(el("details", { class: "review" }, summary, body));
  });
}

function starChips(star) {
  if (star === "not_applicable") return el("p", { class: "help" }, "STAR does not apply to this question.");
  const chips = el("ul", { class: "chips", "aria-label": "STAR elements" });
  for (const [key, label] of Object.entries(STAR_LABELS)) {
    const found = Boolean(star[key]);
    chips.append(el("li", { class: found ? "chip found" : "chip missing" }, `${found ? "✓" : "✗"} ${label}`,
      el("span", { class: "visually-hidden" }, found ? " (present)" : " (missing)")));
  }
  return chips;
}

function downloadReport() {
  if (!state.report) return;
  const blob = new Blob([JSON.stringify(state.report, null, 2)], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: "interview-report.json" });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function backToSetup() {
  forgetSession();
  state.over = false;
  state.report = null;
  $("report").hidden = true;
  $("interview").hidden = true;
  $("setup").hidden = false;
  $("progress-text").textContent = "";
}

function practiseAgain() {
  backToSetup();
  clearAlert();
  $("role").focus();
}

/* ------------------------------------------------------------------ history */

async function showHistory() {
  const userId = practiceUserId();
  if (!userId) return;
  $("history-status").hidden = true;
  await attempt(async () => {
    const data = await api.history(userId);
    renderHistory(data);
    if (data.interviews.length) setChart(URL.createObjectURL(await api.historyChart(userId)));
    $("history").hidden = false;
    $("history").scrollIntoView({ block: "start" });
    $("history").focus({ preventScroll: true });
  });
}

function renderHistory(data) {
  const count = data.interviews.length;
  $("history-empty").hidden = count > 0;
  $("history-body").hidden = count === 0;
  const trends = Object.entries(SCORE_LABELS).map(([key, label]) => {
    const trend = data.trends[key] || "too_early";
    return { trend, text: `${label}: ${TREND_LABELS[trend] || trend}` };
  });
  $("history-trends").replaceChildren(...trends.map(({ trend, text }) => el("li", { class: `trend ${trend}` }, text)));
  $("history-table").tBodies[0].replaceChildren(...data.interviews.map((interview) => el("tr", {},
    el("td", {}, interview.date),
    el("td", {}, roleName(interview.role)),
    el("td", {}, interview.difficulty),
    ...Object.keys(SCORE_LABELS).map((key) => el("td", { class: "score" }, scoreText(interview.scores[key]))),
  )));
  $("history-chart").alt = `Line chart of your scores over your last ${count} interview(s). `
    + `${trends.map(({ text }) => text).join("; ")}.`;
}

function roleName(id) {
  const role = state.roles.find((r) => r.id === id);
  return role ? role.name : id;
}

function scoreText(score) {
  return score ? `${score}/5` : "–";
}

function setChart(url) {
  if (state.chartUrl) URL.revokeObjectURL(state.chartUrl);
  state.chartUrl = url;
  $("history-chart").src = url || "";
}

function hideHistory() {
  $("history").hidden = true;
  $("history-status").hidden = true;
}

async function forgetMe() {
  const userId = practiceUserId();
  const question = "Delete your interview history and any interview in progress from this server? "
    + "This cannot be undone.";
  if (!userId || !window.confirm(question)) return;
  await attempt(async () => {
    const result = await api.forget(userId);
    dropPracticeUserId(); // a fresh id from now on: nothing links the old data to this browser
    setChart(null);
    if (state.sessionId) backToSetup(); // the interview in progress was deleted too
    renderHistory({ interviews: [], trends: {} });
    $("history-status").textContent = `Deleted ${plural(result.interviews, "finished interview")} `
      + `and ${plural(result.sessions, "session")}.`;
    $("history-status").hidden = false;
  });
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/* ------------------------------------------------------------------ wiring */

function init() {
  $("setup-form").addEventListener("submit", startInterview);
  $("role").addEventListener("change", describeRole);
  $("answer-form").addEventListener("submit", sendAnswer);
  $("answer").addEventListener("keydown", answerKeys);
  $("hint-button").addEventListener("click", askHint);
  $("skip-button").addEventListener("click", skipQuestion);
  $("end-button").addEventListener("click", endInterview);
  $("again-button").addEventListener("click", practiseAgain);
  $("download-button").addEventListener("click", downloadReport);
  $("history-button").addEventListener("click", showHistory);
  $("progress-button").addEventListener("click", showHistory);
  $("history-close").addEventListener("click", hideHistory);
  $("forget-button").addEventListener("click", forgetMe);
  $("history-button").hidden = $("progress-button").hidden = !practiceUserId();
  $("token-form").addEventListener("submit", saveToken);
  $("token-button").addEventListener("click", () => askForToken(loadRoles));
  $("token-clear").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $("token-panel").hidden = true;
  });
  $("token-button").hidden = !sessionStorage.getItem(TOKEN_KEY);
  window.addEventListener("resize", redrawChartsSoon);
  loadRoles().then(resumeSession);
}

document.addEventListener("DOMContentLoaded", init);

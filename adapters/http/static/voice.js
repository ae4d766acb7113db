/* Spoken answers on the web page: record with MediaRecorder, upload, show what was heard.
 *
 * Loaded after app.js and uses its helpers (state, api, attempt, addMessage...). The
 * recording goes to POST /chat/stream as a multipart form; the server sends a `heard`
 * event (the transcript and delivery figures) before the interviewer's reply. Nothing is
 * kept on the server; on this page the last recording is kept only until it is answered,
 * so a failed upload can be sent again.
 */
"use strict";

const RECORD_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
const MAX_RECORD_MS = 5 * 60 * 1000; // the server's limit
const PACE_WORDS = {
  slow: "slower than the usual 130–160", fast: "faster than the usual 130–160",
  within: "within the usual 130–160", too_short: "too short to judge the pace",
};

const recorder = { media: null, stream: null, chunks: [], started: 0, ticker: null, limit: null, last: null };

function canRecord() {
  return Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

async function toggleRecording() {
  if (recorder.media) {
    recorder.media.stop(); // "stop" sends it
    return;
  }
  if (state.busy || state.over) return;
  clearAlert();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    showAlert("I can't use a microphone here (permission was refused, or there is none). You can type your answer instead.");
    return;
  }
  const type = RECORD_TYPES.find((candidate) => MediaRecorder.isTypeSupported(candidate));
  const media = new MediaRecorder(stream, type ? { mimeType: type } : {});
  Object.assign(recorder, { media, stream, chunks: [], started: Date.now() });
  media.addEventListener("dataavailable", (event) => {
    if (event.data.size) recorder.chunks.push(event.data);
  });
  media.addEventListener("stop", finishRecording);
  media.start(1000);
  recorder.ticker = setInterval(showElapsed, 500);
  recorder.limit = setTimeout(() => media.state !== "inactive" && media.stop(), MAX_RECORD_MS);
  setRecording(true);
}

function setRecording(on) {
  const button = $("record-button");
  button.textContent = on ? "Stop and send" : "Record answer";
  button.setAttribute("aria-pressed", String(on));
  button.classList.toggle("recording", on);
  for (const id of ["send-button", "hint-button", "skip-button", "end-button"]) $(id).disabled = on;
  $("answer").disabled = on;
  $("record-status").replaceChildren(on ? "Recording… 0:00 (up to 5:00)" : "");
}

function showElapsed() {
  const seconds = Math.floor((Date.now() - recorder.started) / 1000);
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  $("record-status").replaceChildren(`Recording… ${clock} (up to 5:00)`);
}

async function finishRecording() {
  clearInterval(recorder.ticker);
  clearTimeout(recorder.limit);
  recorder.stream.getTracks().forEach((track) => track.stop());
  const recording = new Blob(recorder.chunks, { type: recorder.media.mimeType || "audio/webm" });
  Object.assign(recorder, { media: null, stream: null, chunks: [] });
  setRecording(false);
  await sendRecording(recording);
}

function fileNameFor(type) {
  if (type.includes("ogg")) return "answer.ogg";
  return type.includes("mp4") ? "answer.m4a" : "answer.webm";
}

async function sendRecording(recording) {
  recorder.last = recording;
  const mine = addMessage("candidate", "", "Spoken · transcribing…");
  mine.classList.add("pending");
  let pending = null;
  let preview = "";
  await attempt(async () => {
    const reply = await api.chatAudioStream(state.sessionId, recording, fileNameFor(recording.type), {
      onHeard: (heard) => {
        showHeard(mine, heard);
        pending = addMessage("interviewer", "", "Writing…");
        pending.classList.add("pending");
      },
      onDelta: (delta) => {
        preview += delta;
        if (pending) richText(pending.querySelector(".body"), preview);
      },
    });
    showHeard(mine, reply.heard);
    renderReply(reply, pending);
    markPersona(mine, reply.persona);
    recorder.last = null;
  }, () => {
    // Nothing was saved: offer the same recording again.
    mine.remove();
    if (pending) pending.remove();
    offerResend();
  });
}

function offerResend() {
  if (!recorder.last) return;
  const again = el("button", { type: "button", id: "resend-button" }, "Send the recording again");
  again.addEventListener("click", () => {
    $("record-status").replaceChildren();
    sendRecording(recorder.last);
  });
  $("record-status").replaceChildren(again);
}

/* The candidate's bubble: what the server heard, and how it sounded. */
function showHeard(item, heard) {
  if (!item || !heard) return;
  item.classList.remove("pending");
  richText(item.querySelector(".body"), heard.text);
  item.querySelector(".meta .tag").textContent = "Spoken (transcribed)";
  const old = item.querySelector(".delivery");
  if (old) old.remove();
  item.append(el("p", { class: "delivery" }, `Delivery: ${deliveryLine(heard.delivery)}`));
}

function deliveryLine(figures) {
  return `${Math.round(figures.words_per_minute)} words/min (${PACE_WORDS[figures.pace] || figures.pace}) · `
    + `${figures.fillers} filler word(s) · ${figures.long_pauses} long pause(s) · `
    + `${Math.round(figures.speaking_seconds)} s spoken`;
}

/* The report's delivery section (called by showReport); hidden when every answer was typed. */
function renderDelivery(delivery) {
  const section = $("report-delivery");
  section.hidden = !delivery;
  if (!delivery) return;
  const overall = `${delivery.spoken_answers} spoken answer(s) · ${Math.round(delivery.words_per_minute)} `
    + `words/min · ${delivery.fillers_per_minute} fillers/min · ${delivery.long_pauses} long pause(s)`;
  $("delivery-overall").replaceChildren(...[overall, ...delivery.notes].map((line) => el("li", {}, line)));
  $("delivery-answers").replaceChildren(...delivery.answers.map((answer) => el("li", {},
    el("p", {}, `Q${answer.question_index + 1}. ${answer.question}`),
    el("p", { class: "help" }, deliveryLine(answer)))));
  $("delivery-guidance").textContent = delivery.guidance;
}

document.addEventListener("DOMContentLoaded", () => {
  $("record-button").hidden = !canRecord();
  $("record-button").addEventListener("click", toggleRecording);
});

// Footwork simulator: type (or click) an utterance, see and hear what Alexa would answer.
//
// The server matches the utterance, runs it through the skill and returns the answer with its speech
// as timed pieces ({say: "..."} and {pause: seconds}, in SSML order). This page plays them: text runs
// are spoken by the browser (window.speechSynthesis) or just shown, and each pause is a visible
// countdown timed with real timers. The session lives here (localStorage) and goes with every turn.
"use strict";

(() => {
  const SESSION_KEY = "footwork.simulator.session";
  const WORDS_PER_SECOND = 2.5; // 150 words a minute, the pace the routines are planned at
  const COUNTDOWN_FROM = 1; // pauses shorter than this pass quietly

  const $ = (id) => document.getElementById(id);
  const synth = "speechSynthesis" in window ? window.speechSynthesis : null;

  let session = readSession();
  let generation = 0; // bumped to cancel the playback under way
  const cancelers = new Set();

  // --- session ---------------------------------------------------------------------------------

  function readSession() {
    try {
      const saved = JSON.parse(window.localStorage.getItem(SESSION_KEY) || "null");
      return saved && typeof saved === "object" ? saved : null;
    } catch (_) {
      return null;
    }
  }

  function saveSession(value) {
    session = value;
    try {
      if (value) window.localStorage.setItem(SESSION_KEY, JSON.stringify(value));
      else window.localStorage.removeItem(SESSION_KEY);
    } catch (_) { /* private mode: the session lives in memory only */ }
    showSession();
  }

  function showSession() {
    const status = $("session-status");
    const open = Boolean(session && session.open);
    status.textContent = open ? "Session open" : session ? "Session ended" : "No session";
    status.className = "session " + (open ? "open" : "closed");
    $("user-id").textContent = session && session.user_id ? "user …" + session.user_id.slice(-8) : "";
  }

  // --- talking to the server -------------------------------------------------------------------

  async function turn(body, shown) {
    const error = $("error");
    error.hidden = true;
    setBusy(true);
    addYou(shown);
    try {
      const reply = await fetch("/dev/simulator/say", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({...body, session}),
      });
      const data = await reply.json().catch(() => ({error: `the server answered ${reply.status}`}));
      if (!reply.ok) throw new Error(data.error || `the server answered ${reply.status}`);
      saveSession(data.session);
      showAnswer(data);
    } catch (problem) {
      error.textContent = `Could not reach the skill: ${problem.message}`;
      error.hidden = false;
      addSystem("Nothing was sent to the skill.");
    } finally {
      setBusy(false);
    }
  }

  function setBusy(busy) {
    $("send").disabled = busy;
    document.querySelectorAll(".quick button").forEach((b) => { b.disabled = busy; });
  }

  // --- the transcript --------------------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function append(item) {
    const hint = $("empty-hint");
    if (hint) hint.remove();
    const list = $("transcript");
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function addYou(text) {
    const item = element("li", "you");
    item.appendChild(element("span", "who", "You"));
    item.appendChild(element("span", "said", text));
    append(item);
  }

  function addSystem(text) {
    append(element("li", "system", text));
  }

  function speechNodes(segments) {
    const fragment = document.createDocumentFragment();
    segments.forEach((segment, index) => {
      if (index) fragment.appendChild(document.createTextNode(" "));
      if ("pause" in segment) {
        fragment.appendChild(element("span", "pause", `[pause ${formatSeconds(segment.pause)} s]`));
      } else {
        fragment.appendChild(document.createTextNode(segment.say));
      }
    });
    return fragment;
  }

  function formatSeconds(seconds) {
    return String(Math.round(seconds * 100) / 100);
  }

  function showAnswer(data) {
    const kind = data.request ? data.request.request.type : "SessionEndedRequest";
    if (data.note) addSystem(data.note);
    const segments = (data.speech && data.speech.segments) || [];
    if (segments.length) {
      const item = element("li", "alexa");
      item.appendChild(element("span", "who", "Alexa"));
      const said = element("span", "speech");
      said.appendChild(speechNodes(segments));
      item.appendChild(said);
      if (data.speech.reprompt) {
        item.appendChild(element("span", "reprompt-line", `Reprompt: ${data.speech.reprompt}`));
      }
      append(item);
    } else if (data.request) {
      addSystem(kind === "SessionEndedRequest" ? "Session ended (no speech)." : "No speech.");
    }
    if (data.response && !data.session_open && kind !== "SessionEndedRequest") {
      addSystem("The skill ended the session.");
    }
    showMatch(data.match, kind);
    showCard(data.card);
    $("reprompt").textContent = (data.speech && data.speech.reprompt) || "None.";
    $("request-json").textContent = data.request ? JSON.stringify(data.request, null, 2) : "";
    $("response-json").textContent = data.response ? JSON.stringify(data.response, null, 2) : "";
    play(segments);
  }

  function showMatch(match, kind) {
    const box = $("match");
    box.replaceChildren();
    const list = element("dl");
    const row = (term, value, className) => {
      list.appendChild(element("dt", "", term));
      list.appendChild(element("dd", className || "", value));
    };
    row("Request", kind);
    if (match && match.intent) row("Intent", match.intent + (match.one_shot ? " (one-shot)" : ""));
    if (match && match.sample) row("Sample", `“${match.sample}”`);
    for (const [name, slot] of Object.entries((match && match.slots) || {})) {
      const resolved = slot.id ? `→ ${slot.id} (${slot.name})` : "→ no match";
      row(`{${name}}`, `“${slot.value}” ${resolved}`);
      row("", slot.status, slot.id ? "status-ok" : "status-no");
    }
    box.appendChild(list);
  }

  function showCard(card) {
    const box = $("card");
    box.replaceChildren();
    if (!card) {
      box.appendChild(element("p", "muted", "No card."));
      return;
    }
    box.appendChild(element("h4", "", card.title));
    for (const line of card.content.split("\n")) {
      if (line.trim()) box.appendChild(element("p", "", line));
    }
  }

  // --- playback: speech and countdowns in SSML order ---------------------------------------------

  function sleep(ms) {
    return new Promise((resolve) => {
      const timer = window.setTimeout(done, Math.max(0, ms));
      function done() {
        window.clearTimeout(timer);
        cancelers.delete(done);
        resolve();
      }
      cancelers.add(done);
    });
  }

  function stopPlayback() {
    generation += 1;
    if (synth) synth.cancel();
    for (const cancel of [...cancelers]) cancel();
    $("now").hidden = true;
    $("countdown").hidden = true;
  }

  function speakText(text) {
    const words = text.split(/\s+/).filter(Boolean).length;
    const estimate = (words / WORDS_PER_SECOND) * 1000;
    if (!(synth && $("speak-aloud").checked)) {
      return sleep($("real-time").checked ? estimate : 0);
    }
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "en-US";
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        cancelers.delete(finish);
        window.clearTimeout(safety);
        resolve();
      };
      // Some browsers (headless ones, ones without voices) never say "end": do not wait forever.
      const safety = window.setTimeout(finish, estimate * 2 + 3000);
      const started = performance.now();
      utterance.onend = finish;
      // No voice to speak with: show the words for as long as they would take to say, then go on.
      utterance.onerror = (event) => {
        const stopped = event.error === "interrupted" || event.error === "canceled";
        const left = !stopped && $("real-time").checked ? estimate - (performance.now() - started) : 0;
        if (left > 0) sleep(left).then(finish);
        else finish();
      };
      cancelers.add(finish);
      synth.speak(utterance);
    });
  }

  async function countdown(seconds, mine) {
    const box = $("countdown");
    const end = performance.now() + seconds * 1000;
    const shown = [];
    box.hidden = false;
    while (mine === generation) {
      const left = (end - performance.now()) / 1000;
      if (left <= 0) break;
      const whole = Math.ceil(left - 1e-6);
      if (shown[shown.length - 1] !== whole) {
        shown.push(whole);
        box.textContent = "hold " + shown.join(" … ");
        box.dataset.left = String(whole);
        box.setAttribute("aria-label", `hold, ${whole} ${whole === 1 ? "second" : "seconds"} left`);
      }
      await sleep(Math.min(100, left * 1000));
    }
    box.hidden = true;
    box.textContent = "";
    delete box.dataset.left;
  }

  async function play(segments) {
    stopPlayback();
    const mine = generation;
    if (!segments.length) return;
    const now = $("now");
    const text = $("now-text");
    now.hidden = false;
    for (const segment of segments) {
      if (mine !== generation) return;
      if ("pause" in segment) {
        if (segment.pause >= COUNTDOWN_FROM) await countdown(segment.pause, mine);
        else await sleep(segment.pause * 1000);
      } else {
        text.textContent = segment.say;
        await speakText(segment.say);
      }
    }
    if (mine === generation) now.hidden = true;
  }

  // --- wiring ----------------------------------------------------------------------------------

  async function loadExamples() {
    try {
      const reply = await fetch("/dev/simulator/examples");
      if (!reply.ok) return;
      const data = await reply.json();
      const list = $("utterance-hints");
      const titles = data.routines.map((r) => r.title.toLowerCase());
      const seen = new Set();
      const add = (text) => {
        if (seen.has(text)) return;
        seen.add(text);
        list.appendChild(element("option", "", text));
      };
      titles.forEach((title) => add(`start ${title}`));
      titles.forEach((title) => add(`what's in ${title}`));
      for (const [intent, samples] of Object.entries(data.intents)) {
        if (intent.startsWith("AMAZON.")) samples.slice(0, 3).forEach(add);
      }
    } catch (_) { /* hints are a nicety */ }
  }

  function init() {
    showSession();
    if (!synth) {
      $("speak-aloud").checked = false;
      $("speak-aloud").disabled = true;
      $("speech-support").textContent = "This browser cannot speak: the words are shown instead.";
    }
    $("say-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("utterance");
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      turn({utterance: text}, text);
    });
    document.querySelectorAll(".quick [data-say]").forEach((button) => {
      button.addEventListener("click", () => turn({utterance: button.dataset.say}, button.dataset.say));
    });
    document.querySelector(".quick [data-action=end]").addEventListener("click", () => {
      turn({action: "end"}, "(ends the session)");
    });
    $("skip").addEventListener("click", stopPlayback);
    $("speak-aloud").addEventListener("change", () => {
      if (!$("speak-aloud").checked && synth) synth.cancel();
    });
    $("reset").addEventListener("click", () => {
      stopPlayback();
      saveSession(null);
      addSystem("Forgot the session and the user: the next turn is a new person.");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") stopPlayback();
    });
    loadExamples();
  }

  init();
})();

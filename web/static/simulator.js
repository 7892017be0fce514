"use strict";
// The web simulator: a chat with the flows, and the machine beside it (node, kind, variables,
// revision, timeout). The conversation lives on the server; a reload shows it again.
(function () {
  const $ = (id) => document.getElementById(id);
  const chat = $("chat"), keyboard = $("keyboard");
  const flowSelect = $("flow"), entrySelect = $("entry"), languageSelect = $("language");
  const newSession = () => "sim-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  let session = localStorage.getItem("clixchat-session");
  let flows = [], generation = null, lastVariables = null, busy = Promise.resolve();

  // ------------------------------------------------------------------ the chat
  function bubble(who, text) {
    const div = document.createElement("div");
    div.className = "msg " + who;
    if (text) div.textContent = text;
    chat.appendChild(div);
    return div;
  }

  function fileName(source) {
    return String(source || "").split(/[\/?#]/).filter(Boolean).pop() || String(source || "");
  }

  function mediaPreview(message) {
    const box = document.createElement("div");
    box.className = "media " + message.media_kind;
    if (message.media_kind === "photo" && message.url) {
      const img = document.createElement("img");
      img.src = message.url; img.alt = message.text || fileName(message.media); img.loading = "lazy";
      box.appendChild(img);
      return box;
    }
    const icon = { document: "📄", audio: "🎵", voice: "🎤", video: "🎬", photo: "🖼" }[message.media_kind] || "📎";
    const name = fileName(message.media);
    box.appendChild(document.createTextNode(icon + " "));
    if (message.url) {
      const a = document.createElement("a");
      a.href = message.url; a.textContent = name; a.target = "_blank"; a.rel = "noopener";
      box.appendChild(a);
    } else {
      const span = document.createElement("span");
      span.textContent = name + " (" + message.media_kind + ", no preview)";
      box.appendChild(span);
    }
    return box;
  }

  function inlineButtons(rows, into) {
    const box = document.createElement("div");
    box.className = "inline";
    for (const row of rows) for (const b of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.label;
      button.onclick = () => send({ button: b.data }, b.label);
      box.appendChild(button);
    }
    into.appendChild(box);
  }

  function replyKeyboard(rows) {
    keyboard.replaceChildren();
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "row";
      for (const b of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.label;
        button.onclick = () => b.request === "location"
          ? send({ media: "location" }, "[location]") : send({ text: b.label }, b.label);
        line.appendChild(button);
      }
      keyboard.appendChild(line);
    }
  }

  function render(item) {
    if (item.who !== "bot") return bubble(item.who, item.text);
    const div = bubble("bot", "");
    if (item.media_kind) div.appendChild(mediaPreview(item));
    if (item.text) {
      const text = document.createElement("div");
      text.className = item.media_kind ? "caption" : "text";
      text.textContent = item.text;
      div.appendChild(text);
    }
    if (item.keyboard === "inline") inlineButtons(item.buttons, div);
    if (item.keyboard === "reply") replyKeyboard(item.buttons);
    if (item.keyboard === "remove") keyboard.replaceChildren();
    return div;
  }

  function scrollDown() {
    chat.scrollTop = chat.scrollHeight;
    // a picture still loading grows its bubble: follow it down when it arrives
    for (const img of chat.querySelectorAll("img")) {
      if (!img.complete) img.addEventListener("load", () => { chat.scrollTop = chat.scrollHeight; }, { once: true });
    }
  }

  // ------------------------------------------------------------------ the machine
  function text(id, value) { $(id).textContent = value === null || value === undefined || value === "" ? "–" : value; }

  function showProblems(problems) {
    $("problems").hidden = !problems.length;
    $("problem-lines").textContent = problems.join("\n");
  }

  function showState(state) {
    const where = state.node ? state.flow + ":" + state.node : "not started";
    text("state-node", state.node);
    text("state-kind", state.kind);
    $("state-kind").hidden = !state.kind;
    text("state-flow", state.flow ? state.flow + (state.title && state.title !== state.flow ? " — " + state.title : "") : null);
    const rev = state.revision;
    let revision = rev.sha256 ? (rev.version !== null && rev.version !== undefined ? "v" + rev.version + " · " : "") + rev.sha256 : null;
    if (rev.behind) revision += " → " + rev.current + " at the next step";
    text("state-revision", revision);
    $("state-revision").classList.toggle("behind", !!rev.behind);
    text("state-language", state.language);
    text("state-participant", state.participant);
    const fire = $("fire-timeout");
    if (state.timeout) {
      text("state-timeout", "after " + state.timeout.after + " → " + state.timeout.next);
      fire.disabled = false;
    } else {
      text("state-timeout", state.ended ? "ended" : "none at this node");
      fire.disabled = true;
    }
    const kind = state.kind ? " · " + state.kind : "";
    $("where").textContent = state.node ? where + kind : where;
    $("summary").textContent = state.node ? state.node + kind : where;  // a phone: the flow is inside
    $("summary").title = $("where").textContent;
    showVariables(state.variables || {});
  }

  function showVariables(variables) {
    const body = $("variables").tBodies[0];
    body.replaceChildren();
    const names = Object.keys(variables).sort();
    for (const name of names) {
      const tr = document.createElement("tr");
      const value = variables[name];
      const shown = typeof value === "string" ? value : JSON.stringify(value);
      if (lastVariables !== null && JSON.stringify(lastVariables[name]) !== JSON.stringify(value)) tr.className = "changed";
      const th = document.createElement("th"); th.textContent = name; th.scope = "row";
      const td = document.createElement("td"); td.textContent = shown;
      tr.append(th, td);
      body.appendChild(tr);
    }
    $("no-variables").hidden = names.length > 0;
    $("variables").hidden = names.length === 0;
    lastVariables = variables;
  }

  function option(select, value, label) {
    const o = document.createElement("option");
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }

  function fillPicker(keep) {
    const chosen = keep || {};
    flowSelect.replaceChildren();
    for (const f of flows) option(flowSelect, f.id, f.title + (f.title !== f.id ? " (" + f.id + ")" : ""));
    if (chosen.flow && flows.some((f) => f.id === chosen.flow)) flowSelect.value = chosen.flow;
    fillFlowChoices(chosen);
  }

  function fillFlowChoices(keep) {
    const chosen = keep || {};
    const flow = flows.find((f) => f.id === flowSelect.value) || flows[0];
    entrySelect.replaceChildren(); languageSelect.replaceChildren();
    if (!flow) return;
    flow.entries.forEach((e, i) => option(entrySelect, e, e + (i === 0 ? " (start)" : "")));
    for (const l of flow.languages) option(languageSelect, l.code, l.name + " (" + l.code + ")");
    if (chosen.entry && flow.entries.includes(chosen.entry)) entrySelect.value = chosen.entry;
    const codes = flow.languages.map((l) => l.code);
    const phone = (navigator.language || "").split("-")[0];
    languageSelect.value = codes.includes(chosen.language) ? chosen.language : codes.includes(phone) ? phone : codes[0];
  }

  function picked() {
    return { flow: flowSelect.value, entry: entrySelect.value, language: languageSelect.value };
  }

  async function loadFlows() {
    const response = await fetch("/simulator/flows");
    const data = await response.json();
    showProblems(data.problems);
    const changed = data.generation !== generation;
    generation = data.generation;
    if (changed) {
      flows = data.flows;
      fillPicker(Object.assign(JSON.parse(localStorage.getItem("clixchat-picked") || "{}"), flowSelect.value ? picked() : {}));
    }
    return changed;
  }

  // ------------------------------------------------------------------ talking to the server
  async function call(url, payload) {
    payload.session = session;
    const response = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok || data === null) {
      bubble("note error", "⚠ " + ((data && data.error) || "the server answered " + response.status));
      scrollDown();
      return null;
    }
    for (const note of data.notes) render(note);
    for (const m of data.messages) render(m);
    showState(data.state);
    showProblems(data.problems);
    scrollDown();  // after the whole turn and its keyboard are in
    return data;
  }

  function queue(work) {
    busy = busy.then(work, work);
    return busy;
  }

  function send(payload, shown) {
    return queue(() => {
      bubble("you", shown);
      scrollDown();
      return call("/simulator/send", payload);
    });
  }

  function startNew() {
    return queue(() => {
      session = newSession();
      localStorage.setItem("clixchat-session", session);
      localStorage.setItem("clixchat-picked", JSON.stringify(picked()));
      chat.replaceChildren(); keyboard.replaceChildren();
      lastVariables = null;
      return call("/simulator/start", picked());
    });
  }

  async function resume() {
    const response = await fetch("/simulator/state?session=" + encodeURIComponent(session));
    if (!response.ok) return false;
    const data = await response.json();
    showProblems(data.problems);
    if (!data.state.started) return false;
    chat.replaceChildren(); keyboard.replaceChildren();
    for (const item of data.transcript) render(item);
    const kb = data.state.keyboard;
    if (kb && kb.kind === "reply") replyKeyboard(kb.buttons);
    if (kb && kb.kind === "inline") {
      const bots = chat.querySelectorAll(".msg.bot");
      if (bots.length) inlineButtons(kb.buttons, bots[bots.length - 1]);
    }
    lastVariables = null;
    showState(data.state);
    const flow = flows.find((f) => f.id === data.state.flow);
    if (flow) {
      flowSelect.value = flow.id;
      fillFlowChoices(Object.assign(JSON.parse(localStorage.getItem("clixchat-picked") || "{}"), { language: data.state.language }));
    }
    lastVariables = data.state.variables;
    scrollDown();
    return true;
  }

  async function refreshState() {
    const response = await fetch("/simulator/state?transcript=0&session=" + encodeURIComponent(session));
    if (response.ok) {
      const data = await response.json();
      showState(data.state);
      showProblems(data.problems);
    }
  }

  // ------------------------------------------------------------------ wiring
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("text");
    const typed = input.value.trim();
    if (typed) send({ text: typed }, typed);
    input.value = "";
  });
  for (const b of document.querySelectorAll("[data-media]")) {
    b.addEventListener("click", () => send({ media: b.dataset.media }, "[" + b.dataset.media + "]"));
  }
  $("picker").addEventListener("submit", (e) => { e.preventDefault(); startNew(); });
  flowSelect.addEventListener("change", () => fillFlowChoices({}));
  $("fire-timeout").addEventListener("click", () => queue(() => call("/simulator/timeout", {})));
  const phone = window.matchMedia("(max-width: 720px)");
  if (phone.matches) $("machine").open = false;
  $("machine").querySelector("summary").addEventListener("click", (e) => { if (!phone.matches) e.preventDefault(); });

  // A flow file edited (or broken) while the page is open shows up within seconds.
  setInterval(() => {
    if (document.hidden) return;
    loadFlows().then((changed) => { if (changed && session) return refreshState(); }).catch(() => {});
  }, 2500);

  (async function boot() {
    await loadFlows();
    if (session && await resume()) return;
    await startNew();
  })();
})();

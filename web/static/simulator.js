"use strict";
(function () {
  const chat = document.getElementById("chat");
  const keyboard = document.getElementById("keyboard");
  const language = document.getElementById("language");
  const newSession = () => "sim-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  let session = localStorage.getItem("clixchat-session") || newSession();
  localStorage.setItem("clixchat-session", session);
  language.value = localStorage.getItem("clixchat-language") || language.value;

  function bubble(cls, text) {
    const div = document.createElement("div");
    div.className = "msg " + cls;
    div.textContent = text;
    chat.appendChild(div);
    chat.scrollTop = chat.scrollHeight;
    return div;
  }

  function showKeyboard(message) {
    keyboard.replaceChildren();
    if (message.keyboard !== "reply") return;
    for (const row of message.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const b of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.label;
        button.onclick = () => b.request === "location" ? post({ media: "location" }, "📍 location") : post({ text: b.label }, b.label);
        line.appendChild(button);
      }
      keyboard.appendChild(line);
    }
  }

  function render(message) {
    const div = bubble("bot", "");
    if (message.media_kind) {
      const label = document.createElement("div");
      label.className = "media";
      label.textContent = "[" + message.media_kind + "] ";
      if (message.media) {
        const a = document.createElement("a");
        a.href = message.media; a.textContent = message.media; a.target = "_blank"; a.rel = "noopener";
        label.appendChild(a);
      }
      div.appendChild(label);
    }
    if (message.text) div.appendChild(document.createTextNode(message.text));
    if (message.keyboard === "inline") {
      const box = document.createElement("div");
      box.className = "inline";
      for (const row of message.buttons) for (const b of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.label;
        button.onclick = () => post({ button: b.data }, b.label);
        box.appendChild(button);
      }
      div.appendChild(box);
    }
    if (message.keyboard === "reply" || message.keyboard === "remove") showKeyboard(message);
  }

  async function post(payload, shown) {
    bubble("you", shown);
    payload.session = session;
    payload.language = language.value;
    const response = await fetch("/simulator/send", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok || data === null) {
      bubble("bot", "⚠ " + ((data && data.error) || "the server answered " + response.status));
      return;
    }
    for (const m of data.messages) render(m);
    chat.scrollTop = chat.scrollHeight;  // after the whole turn and its keyboard are in
  }

  document.getElementById("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("text");
    const text = input.value.trim();
    if (text) post({ text: text }, text);
    input.value = "";
  });
  for (const b of document.querySelectorAll("[data-media]")) {
    b.addEventListener("click", () => post({ media: b.dataset.media }, "[" + b.dataset.media + "]"));
  }
  function startOver() {
    session = newSession();
    localStorage.setItem("clixchat-session", session);
    chat.replaceChildren(); keyboard.replaceChildren();
    post({ text: "/start" }, "/start");
  }
  document.getElementById("reset").addEventListener("click", startOver);
  // The phone's language counts when a participant first writes, so a change starts over.
  language.addEventListener("change", () => {
    localStorage.setItem("clixchat-language", language.value);
    startOver();
  });
  post({ text: "/start" }, "/start");
})();

/*
 * CRMO information assistant: a chat widget for any web page.
 *
 * Embed it with one line; it loads its stylesheet and socket.io-client from
 * the same place as this file, and talks to the Rasa server in data-server:
 *
 *   <script src="https://assistant.example.org/crmo-chat.js" data-server="https://assistant.example.org" defer></script>
 *
 * Optional: data-token="<JWT>" for sites that sign their users in (the Rasa
 * socketio channel then checks it with its jwt_key); data-lang="de" or "en"
 * to choose the language, else the page's <html lang> decides (German for
 * "de", "de-AT", "de-CH", English otherwise). The header's language button
 * switches it, and the choice is kept for the next page load.
 *
 * Protocol (Rasa's socketio channel): emit session_request {session_id},
 * receive session_confirm <id>; emit user_uttered {message, session_id,
 * customData: {language}}; receive bot_uttered {text, quick_replies: [{title,
 * payload}]}. The assistant answers a typed message in the language it is
 * written in, and anything else (a button, "ok") in the widget's language.
 *
 * Message text is only ever put into the page as text nodes and <a> elements
 * built here; nothing from a message goes through innerHTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__crmoChatLoaded) {
    return; // loaded twice, or not from a <script> element
  }
  window.__crmoChatLoaded = true;

  var BASE = new URL(".", script.src);
  var SERVER = trimSlash(script.getAttribute("data-server") || BASE.href);
  var TOKEN = script.getAttribute("data-token");
  var STORE_KEY = "crmo-chat:v1:" + SERVER;
  var MAX_STORED = 200; // messages kept for the next page load
  var ANSWER_TIMEOUT_MS = 30000;
  var ID = "crmo-chat";

  var TEXTS = {};
  TEXTS.en = {
    language: "English",
    switchTo: "Deutsch",
    switchLabel: "Auf Deutsch wechseln",
    log: "Conversation",
    newTab: " (opens in a new tab)",
    launcher: "Questions about CRMO?",
    title: "CRMO information assistant",
    subtitle: "General information, not medical advice",
    close: "Close chat",
    clear: "Start over",
    clearLabel: "Start over: delete this conversation from this device and from the assistant",
    clearedHereOnly: "Cleared on this device only: the assistant could not be reached to delete it there.",
    menu: "Menu",
    myData: "What do you know about me?",
    forgetMe: "Forget me",
    label: "Type your question",
    placeholder: "For example: what is CRMO?",
    send: "Send",
    you: "You: ",
    bot: "Assistant: ",
    choices: "Suggested questions",
    typing: "The assistant is writing",
    offline: "Can't reach the assistant right now. Trying again\u2026",
    refused: "The assistant did not accept the connection. Please reload the page.",
    noAnswer: "No answer came back. Please send your question again.",
  };
  TEXTS.de = {
    language: "Deutsch",
    switchTo: "English",
    switchLabel: "Switch to English",
    log: "Gespräch",
    newTab: " (öffnet in einem neuen Tab)",
    launcher: "Fragen zu CRMO?",
    title: "CRMO-Informations\u00adassistent", // a soft hyphen: where the word breaks on a phone
    subtitle: "Allgemeine Informationen, kein ärztlicher Rat",
    close: "Chat schließen",
    clear: "Neu beginnen",
    clearLabel: "Neu beginnen: dieses Gespräch auf diesem Gerät und beim Assistenten löschen",
    clearedHereOnly: "Nur auf diesem Gerät gelöscht: Der Assistent war nicht erreichbar, um es dort zu löschen.",
    menu: "Menü",
    myData: "Was wisst ihr über mich?",
    forgetMe: "Vergiss mich",
    label: "Schreiben Sie Ihre Frage",
    placeholder: "Zum Beispiel: Was ist CRMO?",
    send: "Senden",
    you: "Sie: ",
    bot: "Assistent: ",
    choices: "Vorgeschlagene Fragen",
    typing: "Der Assistent schreibt",
    offline: "Der Assistent ist gerade nicht erreichbar. Neuer Versuch\u2026",
    refused: "Der Assistent hat die Verbindung nicht angenommen. Bitte laden Sie die Seite neu.",
    noAnswer: "Es kam keine Antwort. Bitte schicken Sie Ihre Frage noch einmal.",
  };

  // "de", "de-AT", "de_CH" -> "de"; anything else -> "en"
  function answeredLanguage(code) {
    return /^de([-_]|$)/i.test(String(code || "")) ? "de" : "en";
  }

  function trimSlash(url) {
    return String(url).replace(/\/+$/, "");
  }

  // ---- stored state: session id, greeting done, transcript (per server URL) ----

  var memoryOnly = null; // used when localStorage is unavailable (privacy modes)

  function freshState() {
    return { sessionId: null, greeted: false, open: false, language: null, messages: [] };
  }

  function loadState() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      var parsed = raw ? JSON.parse(raw) : null;
      if (parsed && typeof parsed === "object" && Array.isArray(parsed.messages)) {
        return {
          sessionId: typeof parsed.sessionId === "string" ? parsed.sessionId : null,
          greeted: parsed.greeted === true,
          open: parsed.open === true,
          language: parsed.language === "de" || parsed.language === "en" ? parsed.language : null,
          messages: parsed.messages.map(storedMessage).filter(Boolean),
        };
      }
    } catch (ignored) {
      // unreadable or blocked storage: start afresh
    }
    return memoryOnly || freshState();
  }

  // What was stored is checked again: it is drawn by the same code as live messages.
  function storedMessage(m) {
    if (m && m.from === "user" && typeof m.text === "string") {
      return { from: "user", text: m.text };
    }
    return m && m.from === "bot" ? botMessage({ text: m.text, quick_replies: m.replies }) : null;
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (ignored) {
      memoryOnly = state;
    }
  }

  var state = loadState();
  // The language chosen with the switch, else the script's data-lang, else the page's.
  var language = state.language || answeredLanguage(script.getAttribute("data-lang") || document.documentElement.lang);
  var TEXT = TEXTS[language];

  // ---- small DOM helpers (text only) ----

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function srOnly(text) {
    return el("span", ID + "__sr", text);
  }

  // A URL ends before trailing punctuation and before a ")" it did not open.
  function trimUrl(url) {
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (".,;:!?'\"".indexOf(last) >= 0) {
        url = url.slice(0, -1);
      } else if (last === ")" && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) {
        url = url.slice(0, -1);
      } else {
        return url;
      }
    }
  }

  function safeHref(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (ignored) {
      return null;
    }
  }

  function link(href, label) {
    var a = el("a", ID + "__link", label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(srOnly(TEXT.newTab));
    return a;
  }

  // Markdown links [label](http...) and bare http(s) URLs become links; all else is text.
  var LINKS = /\[([^\]\n]+)\]\((https?:\/\/[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\)|https?:\/\/[^\s<>"]+/g;

  function appendLine(parent, line) {
    var at = 0;
    var match;
    LINKS.lastIndex = 0;
    while ((match = LINKS.exec(line)) !== null) {
      var whole = match[0];
      var label = match[1];
      var url = label !== undefined ? match[2] : trimUrl(whole);
      var href = safeHref(url);
      if (!href) {
        continue;
      }
      parent.appendChild(document.createTextNode(line.slice(at, match.index)));
      parent.appendChild(link(href, label !== undefined ? label : url));
      at = match.index + (label !== undefined ? whole.length : url.length);
      LINKS.lastIndex = at;
    }
    parent.appendChild(document.createTextNode(line.slice(at)));
  }

  function appendText(parent, text) {
    String(text)
      .split("\n")
      .forEach(function (line, i) {
        if (i > 0) {
          parent.appendChild(document.createElement("br"));
        }
        appendLine(parent, line);
      });
  }

  // ---- the widget's elements ----

  var root = el("div", ID);
  root.id = ID;

  var launcher = el("button", ID + "__launcher");
  launcher.type = "button";
  launcher.id = ID + "-launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", ID + "-panel");
  var bubbleIcon = el("span", ID + "__launcher-icon");
  bubbleIcon.setAttribute("aria-hidden", "true");
  launcher.appendChild(bubbleIcon);
  var launcherText = el("span", ID + "__launcher-text");
  launcher.appendChild(launcherText);

  var panel = el("section", ID + "__panel");
  panel.id = ID + "-panel";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", ID + "-title");

  var header = el("header", ID + "__header");
  var titles = el("div", ID + "__titles");
  var title = el("h2", ID + "__title");
  title.id = ID + "-title";
  titles.appendChild(title);
  var subtitle = el("p", ID + "__subtitle");
  titles.appendChild(subtitle);
  // The language switch names the other language in that language.
  var languageButton = el("button", ID + "__language-button");
  languageButton.type = "button";
  var menuButton = el("button", ID + "__menu-button");
  menuButton.type = "button";
  menuButton.setAttribute("aria-expanded", "false");
  menuButton.setAttribute("aria-controls", ID + "-menu");
  var closeButton = el("button", ID + "__close");
  closeButton.type = "button";
  var closeIcon = el("span", ID + "__close-icon", "\u00d7");
  closeIcon.setAttribute("aria-hidden", "true");
  closeButton.appendChild(closeIcon);
  header.appendChild(titles);
  header.appendChild(languageButton);
  header.appendChild(menuButton);
  header.appendChild(closeButton);

  // The menu: what the assistant keeps, and deleting it (asked for in the chat,
  // or at once with "Start over").
  var menu = el("div", ID + "__menu");
  menu.id = ID + "-menu";
  menu.hidden = true;
  function menuItem(action) {
    var item = el("button", ID + "__menu-item");
    item.type = "button";
    item.addEventListener("click", function () {
      closeMenu(false);
      action();
    });
    menu.appendChild(item);
    return item;
  }

  var alertBox = el("div", ID + "__alert");
  alertBox.setAttribute("role", "alert");

  var log = el("div", ID + "__log");
  log.id = ID + "-log";
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.tabIndex = 0; // a scrolling region must be reachable by keyboard

  var typing = el("div", ID + "__typing");
  typing.hidden = true;
  var dots = el("span", ID + "__dots");
  dots.setAttribute("aria-hidden", "true");
  dots.appendChild(el("span"));
  dots.appendChild(el("span"));
  dots.appendChild(el("span"));
  typing.appendChild(dots);
  var typingText = srOnly("");
  typing.appendChild(typingText);

  var form = el("form", ID + "__form");
  form.setAttribute("novalidate", "");
  var label = el("label", ID + "__label");
  label.htmlFor = ID + "-input";
  var row = el("div", ID + "__row");
  var input = el("input", ID + "__input");
  input.id = ID + "-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 1000;
  input.setAttribute("enterkeyhint", "send");
  var sendButton = el("button", ID + "__send");
  sendButton.type = "submit";
  row.appendChild(input);
  row.appendChild(sendButton);
  form.appendChild(label);
  form.appendChild(row);

  panel.appendChild(header);
  panel.appendChild(menu);
  panel.appendChild(alertBox);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---- messages ----

  function renderMessage(message) {
    var item = el("div", ID + "__msg " + ID + "__msg--" + message.from);
    item.appendChild(srOnly(message.from === "user" ? TEXT.you : TEXT.bot));
    var body = el("div", ID + "__text");
    if (message.from === "bot") {
      appendText(body, message.text);
    } else {
      body.textContent = message.text;
    }
    item.appendChild(body);
    log.appendChild(item);
    if (message.replies && message.replies.length) {
      var group = el("div", ID + "__replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", TEXT.choices);
      message.replies.forEach(function (reply) {
        var button = el("button", ID + "__reply", reply.title);
        button.type = "button";
        button.addEventListener("click", function () {
          sendText(reply.payload, reply.title);
        });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    return item;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // A reply is read from its start: the view keeps the question (or the reply's
  // first message) at the top instead of jumping to the end of a long answer.
  var anchor = null;
  var anchorNextReply = false;

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    var item = renderMessage(message);
    if (message.from === "user") {
      anchor = item;
    } else if (anchorNextReply) {
      anchor = item;
      anchorNextReply = false;
    }
    if (anchor) {
      log.scrollTop = anchor.offsetTop - log.offsetTop - 8;
    } else {
      scrollToEnd();
    }
  }

  function note(text) {
    // a notice of the widget itself: shown, not stored, not sent
    var item = el("p", ID + "__note", text);
    log.appendChild(item);
    scrollToEnd();
  }

  function botMessage(data) {
    if (!data || typeof data !== "object") {
      return null;
    }
    var text = typeof data.text === "string" ? data.text : "";
    var offered = Array.isArray(data.quick_replies) ? data.quick_replies : data.buttons;
    var replies = (Array.isArray(offered) ? offered : [])
      .filter(function (r) {
        return r && typeof r.title === "string" && typeof r.payload === "string";
      })
      .map(function (r) {
        return { title: r.title, payload: r.payload };
      });
    if (!text && !replies.length) {
      return null; // images, custom payloads: not used by this assistant
    }
    return { from: "bot", text: text, replies: replies };
  }

  // ---- typing indicator ----

  var typingTimer = null;

  function showTyping() {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      typing.hidden = true;
      note(TEXT.noAnswer);
    }, ANSWER_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // ---- connection ----

  var socket = null;
  var ready = false; // connected and the session is confirmed

  function showError(text) {
    if (alertBox.textContent !== text) {
      alertBox.textContent = text;
    }
    root.setAttribute("data-state", "offline");
  }

  function clearError() {
    alertBox.textContent = "";
  }

  function loadSocketIo(done, fail) {
    // Our own copy; a socket.io the host page may have loaded stays its own.
    var previous = window.io;
    var tag = document.createElement("script");
    tag.src = new URL("vendor/socket.io.min.js", BASE).href;
    tag.async = true;
    tag.onload = function () {
      var io = window.io;
      if (previous === undefined) {
        delete window.io;
      } else {
        window.io = previous;
      }
      if (typeof io === "function") {
        done(io);
      } else {
        fail(); // e.g. a page with an AMD loader took the module
      }
    };
    tag.onerror = function () {
      tag.remove();
      fail();
    };
    document.head.appendChild(tag);
  }

  function connect() {
    if (socket) {
      return;
    }
    socket = true; // connecting
    root.setAttribute("data-state", "connecting");
    loadSocketIo(function (io) {
      var server = new URL(SERVER);
      var options = {
        path: trimSlash(server.pathname) + "/socket.io",
        // WebSocket only: one connection to one Rasa server, so a balancer
        // needs no sticky sessions (long-polling would spread one client's
        // requests over several servers). deploy/nginx-crmo.conf.
        transports: ["websocket"],
        reconnectionDelay: 1000,
        reconnectionDelayMax: 4000,
        timeout: 8000,
      };
      if (TOKEN) {
        options.auth = { token: TOKEN };
      }
      socket = io(server.origin, options);
      socket.on("connect", function () {
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", onSessionConfirm);
      socket.on("bot_uttered", function (data) {
        var message = botMessage(data);
        if (message) {
          hideTyping();
          addMessage(message);
        }
      });
      socket.on("connect_error", function () {
        ready = false;
        showError(socket.active ? TEXT.offline : TEXT.refused);
      });
      socket.on("disconnect", function (reason) {
        ready = false;
        hideTyping();
        showError(TEXT.offline);
        if (reason === "io server disconnect") {
          setTimeout(function () {
            socket.connect(); // the server closed the session: socket.io does not retry by itself
          }, 2000);
        }
      });
    }, function () {
      socket = null;
      showError(TEXT.offline);
      setTimeout(connect, 5000);
    });
  }

  function onSessionConfirm(data) {
    var id = data && typeof data === "object" ? data.session_id : data;
    if (typeof id !== "string" || !id) {
      return;
    }
    if (state.sessionId && state.sessionId !== id) {
      state.greeted = false; // a different conversation: it gets its own greeting
    }
    state.sessionId = id;
    saveState();
    ready = true;
    clearError();
    root.setAttribute("data-state", "online");
    greetOnce();
  }

  function greetOnce() {
    if (ready && !panel.hidden && !state.greeted) {
      state.greeted = true;
      saveState();
      emit(greeting());
      anchorNextReply = true;
      showTyping();
    }
  }

  function greeting() {
    return "/greet" + JSON.stringify({ reply_language: language });
  }

  function emit(message) {
    socket.emit("user_uttered", {
      message: message,
      session_id: state.sessionId,
      customData: { language: language },
    });
  }

  // Sends a message; false when offline (the caller keeps what was typed).
  function sendText(message, shown) {
    if (!ready) {
      showError(TEXT.offline);
      return false;
    }
    addMessage({ from: "user", text: shown });
    emit(message);
    showTyping();
    return true;
  }

  // ---- opening, closing, keyboard ----

  function open(moveFocus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add(ID + "--open");
    state.open = true;
    saveState();
    scrollToEnd();
    if (moveFocus) {
      input.focus();
    }
    connect();
    greetOnce();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove(ID + "--open");
    state.open = false;
    saveState();
    launcher.focus();
  }

  function openMenu() {
    menu.hidden = false;
    menuButton.setAttribute("aria-expanded", "true");
    menu.firstChild.focus();
  }

  function closeMenu(moveFocus) {
    menu.hidden = true;
    menuButton.setAttribute("aria-expanded", "false");
    if (moveFocus) {
      menuButton.focus();
    }
  }

  function ask(payload, shown) {
    if (sendText(payload, shown)) {
      input.focus();
    }
  }

  // Deletes the conversation on the server (the channel's forget_session, as a
  // confirmed "forget me"), then on this device, and starts a new one.
  function startOver() {
    var online = ready && socket && socket.connected && state.sessionId;
    var hadConversation = state.messages.length > 0;
    if (online) {
      socket.emit("forget_session", { session_id: state.sessionId });
    }
    var wasOpen = state.open;
    var chosen = state.language;
    state = freshState();
    state.open = wasOpen;
    state.language = chosen;
    saveState();
    hideTyping();
    log.textContent = "";
    ready = false;
    if (socket && socket.connected) {
      socket.emit("session_request", { session_id: null }); // a new id, then a new greeting
    }
    if (hadConversation && !online) {
      note(TEXT.clearedHereOnly);
    }
    input.focus();
  }

  var myDataItem = menuItem(function () {
    ask("/my_data", TEXT.myData);
  });
  var forgetMeItem = menuItem(function () {
    ask("/forget_me", TEXT.forgetMe);
  });
  var clearItem = menuItem(startOver);

  // Every label of the widget in its language; the assistant's messages stay as sent.
  function applyTexts() {
    root.setAttribute("lang", language);
    launcherText.textContent = TEXT.launcher;
    title.textContent = TEXT.title;
    subtitle.textContent = TEXT.subtitle;
    languageButton.textContent = TEXT.switchTo;
    languageButton.setAttribute("lang", language === "de" ? "en" : "de");
    languageButton.setAttribute("aria-label", TEXT.switchLabel);
    menuButton.textContent = TEXT.menu;
    closeButton.setAttribute("aria-label", TEXT.close);
    myDataItem.textContent = TEXT.myData;
    forgetMeItem.textContent = TEXT.forgetMe;
    clearItem.textContent = TEXT.clear;
    clearItem.setAttribute("aria-label", TEXT.clearLabel);
    log.setAttribute("aria-label", TEXT.log);
    typingText.textContent = TEXT.typing;
    label.textContent = TEXT.label;
    input.placeholder = TEXT.placeholder;
    sendButton.textContent = TEXT.send;
  }

  // Switching says so to the assistant, which greets in the new language (the
  // greeting's entity sets the conversation's language).
  function switchLanguage() {
    language = language === "de" ? "en" : "de";
    TEXT = TEXTS[language];
    state.language = language;
    saveState();
    applyTexts();
    if (ready) {
      sendText(greeting(), TEXT.language);
    }
    input.focus();
  }

  applyTexts();

  launcher.addEventListener("click", function () {
    if (panel.hidden) {
      open(true);
    } else {
      close();
    }
  });
  closeButton.addEventListener("click", close);
  languageButton.addEventListener("click", switchLanguage);
  menuButton.addEventListener("click", function () {
    if (menu.hidden) {
      openMenu();
    } else {
      closeMenu(true);
    }
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !menu.hidden) {
      event.preventDefault();
      closeMenu(true);
    } else if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (text && sendText(text, text)) {
      input.value = "";
    }
    input.focus();
  });

  // ---- start ----

  function withStylesheet(then) {
    // the widget appears once styled, not as a flash of bare buttons
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("crmo-chat.css", BASE).href;
    css.onload = then;
    css.onerror = then;
    document.head.appendChild(css);
  }

  function mount() {
    state.messages.forEach(renderMessage);
    withStylesheet(function () {
      document.body.appendChild(root);
      if (state.open) {
        open(false); // reloaded with the chat open: keep it open, leave the focus where it is
      }
    });
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();

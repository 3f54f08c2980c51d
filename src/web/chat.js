"use strict";
/*
 * How this page is built, for whoever adds the next protocol feature:
 *
 * - Chat.send(line, context) sends one request line. Answers come back in
 *   request order (PROTOCOL.md), so each request's context waits in a queue
 *   and the answer line (OK/ERR/LIST/PONG/...) is handed to it.
 * - Chat.onPush[VERB] handles a line the server sends on its own (MESG, BCST,
 *   JOINED, LEFT, BYE, ...). Chat.onAnswer[VERB] handles the answer to a
 *   request whose context named that verb. Add entries; do not edit the
 *   dispatcher.
 * - Chat.commands maps what a user may type ("/msg", "/who", ...) to a
 *   function, as the console client's command table does. Anything else that
 *   starts with an upper-case verb is sent as typed.
 * - Conversations (Everyone, one per private peer; rooms later) are made by
 *   UI.conversation(key, title); UI.add(key, {...}) appends a line to one.
 * - Every text from the network is put in the page with textContent, never
 *   as HTML.
 */
const $ = (id) => document.getElementById(id);
const EVERYONE = "*";

const UI = {
  conversations: new Map(),  // key -> {title, items: [], unread, button}
  current: EVERYONE,

  time(date) {
    const t = document.createElement("time");
    t.dateTime = date.toISOString();
    t.textContent = date.toLocaleTimeString([], {hour: "2-digit",
                                                 minute: "2-digit"});
    return t;
  },
  conversation(key, title) {
    let c = this.conversations.get(key);
    if (c) return c;
    c = {key, title, items: [], unread: 0};
    this.conversations.set(key, c);
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.key = key;
    b.addEventListener("click", () => this.show(key));
    li.append(b);
    $("conversations").append(li);
    c.button = b;
    this.label(c);
    return c;
  },
  label(c) {
    c.button.textContent = "";
    const name = document.createElement("span");
    name.textContent = c.key === EVERYONE ? "Everyone" : c.title;
    c.button.append(name);
    if (c.unread > 0) {
      const u = document.createElement("span");
      u.className = "unread";
      u.textContent = String(c.unread);
      u.setAttribute("aria-label", c.unread + " unread");
      c.button.append(u);
    }
    c.button.setAttribute("aria-current", String(c.key === this.current));
  },
  render(entry) {
    const li = document.createElement("li");
    li.className = entry.kind;
    li.append(this.time(entry.when));
    if (entry.from) {
      const from = document.createElement("span");
      from.className = "from";
      from.textContent = entry.from + ":";
      li.append(from);
    }
    li.append(document.createTextNode(entry.text));
    return li;
  },
  // entry: {kind: "own"|"other"|"private"|"notice"|"error", from, text}
  add(key, entry, title) {
    const c = this.conversation(key, title || key);
    entry.when = entry.when || new Date();
    c.items.push(entry);
    if (c.items.length > 2000) c.items.shift();
    if (key === this.current) {
      const log = $("log");
      const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      log.append(this.render(entry));
      if (log.children.length > 2000) log.firstChild.remove();
      if (atEnd) log.scrollTop = log.scrollHeight;
    } else if (entry.kind !== "notice") {
      c.unread++;
      this.label(c);
    }
  },
  show(key) {
    const c = this.conversation(key, key);
    const previous = this.conversations.get(this.current);
    this.current = key;
    c.unread = 0;
    if (previous) this.label(previous);
    this.label(c);
    $("title").textContent =
        key === EVERYONE ? "Everyone" : "Private conversation with " + c.title;
    const log = $("log");
    log.replaceChildren(...c.items.map((e) => this.render(e)));
    log.scrollTop = log.scrollHeight;
    $("text").placeholder = key === EVERYONE
        ? "Write to everyone, Enter to send"
        : "Write to " + c.title + " privately, Enter to send";
    if (window.matchMedia("(max-width: 640px)").matches) UI.collapseSide(true);
    $("text").focus();
  },
  notice(text, key) { this.add(key || this.current, {kind: "notice", text}); },
  error(text, key) { this.add(key || this.current, {kind: "error", text}); },
  online(names) {
    const list = $("online");
    list.replaceChildren();
    for (const name of [...names].sort((a, b) => a.localeCompare(b))) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = name === Chat.name ? name + " (you)" : name;
      b.title = "Talk privately with " + name;
      b.addEventListener("click", () => {
        UI.conversation(name.toLowerCase(), name);
        UI.show(name.toLowerCase());
      });
      li.append(b);
      list.append(li);
    }
    $("online-count").textContent = String(names.size);
  },
  status(text, bad) {
    $("status").textContent = text;
    $("status").classList.toggle("bad", !!bad);
  },
  collapseSide(collapsed) {
    $("side").classList.toggle("collapsed", collapsed);
    $("toggle-side").setAttribute("aria-expanded", String(!collapsed));
  },
};

const Chat = {
  socket: null,
  name: null,        // as the server spells it, once joined
  wanted: null,      // {name, password, register}
  joined: false,
  leaving: false,    // the user asked to leave: no reconnecting
  retries: 0,
  retryTimer: null,
  pending: [],       // contexts of requests awaiting their answer, in order
  online: new Set(),

  connect() {
    clearTimeout(this.retryTimer);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    UI.status("Connecting…");
    let socket;
    try {
      socket = new WebSocket(scheme + "//" + location.host + "/chat",
                             "text.chat-server");
    } catch (e) {
      this.lost();
      return;
    }
    this.socket = socket;
    this.pending = [];
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      Files.connectionLost();
      this.lost();
    };
  },
  // The connection ended: try again with a growing pause, visibly.
  lost() {
    this.socket = null;
    const wasJoined = this.joined;
    this.joined = false;
    if (this.leaving) { UI.status("Not connected"); return; }
    if (wasJoined) UI.notice("Connection lost. Reconnecting…", EVERYONE);
    const delay = Math.min(30, 2 ** Math.min(this.retries, 5));
    this.retries++;
    let left = delay;
    const tick = () => {
      UI.status("Disconnected — reconnecting in " + left + " s", true);
      if (left-- <= 0) { this.connect(); return; }
      this.retryTimer = setTimeout(tick, 1000);
    };
    tick();
  },
  send(line, context) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      UI.error("Not connected; the message was not sent.");
      return false;
    }
    this.socket.send(line);
    this.pending.push(context || {verb: line.split(" ")[0]});
    return true;
  },
  // DATA and ACK lines of a file transfer: they get no answer.
  sendUnanswered(line) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(line);
    }
  },
  register() {
    const w = this.wanted;
    if (w.password && w.register) {
      this.send("REGISTER " + w.name + " " + w.password, {verb: "JOIN"});
    } else if (w.password) {
      this.send("LOGIN " + w.name + " " + w.password, {verb: "JOIN"});
    } else {
      this.send("JOIN " + w.name, {verb: "JOIN"});
    }
  },
  receive(line) {
    const space = line.indexOf(" ");
    const verb = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? "" : line.slice(space + 1);
    if (verb === "HELLO") { this.register(); return; }
    if (["OK", "ERR", "LIST", "PONG", "ROOMS", "CHATS"].includes(verb)) {
      const context = this.pending.shift() || {verb: "?"};
      const handler = this.onAnswer[context.verb] || this.onAnswer.default;
      handler.call(this, verb, rest, context);
      return;
    }
    const push = this.onPush[verb];
    if (push) push.call(this, rest); else UI.notice(line);
  },
  joinedAs(name) {
    this.name = name;
    this.joined = true;
    this.retries = 0;
    UI.status("Connected as " + name);
    $("welcome").classList.add("hidden");
    $("chat").classList.remove("hidden");
    $("leave").classList.remove("hidden");
    $("toggle-side").classList.remove("hidden");
    UI.conversation(EVERYONE, "Everyone");
    UI.notice("You joined as " + name + ".", EVERYONE);
    if (UI.current === EVERYONE) UI.show(EVERYONE);
    this.send("LIST");
  },
  formError(text) {
    $("form-error").textContent = text;
    this.leaving = true;
    if (this.socket) this.socket.close();
    $("welcome").classList.remove("hidden");
    $("name").focus();
  },
  onAnswer: {
    JOIN(verb, rest) {
      if (verb === "OK") {
        this.joinedAs(rest.split(" ").pop());
        return;
      }
      const phrase = rest.split(":")[0];
      if (phrase === "Already Registered") return;
      if (phrase === "Name Reserved") {
        $("account").classList.remove("hidden");
        this.formError("This name belongs to an account: enter its password.");
        $("password").focus();
      } else if (phrase === "Username Taken" && this.retries > 0) {
        // Our previous connection may not be gone yet: try again shortly.
        this.socket.close();
      } else if (phrase === "Username Taken") {
        this.formError("Someone is already using that name. Pick another.");
      } else if (phrase === "Invalid Username") {
        this.formError("Use 1 to 32 letters or digits, without spaces.");
      } else {
        this.formError(rest);
      }
    },
    LIST(verb, rest) {
      if (verb !== "LIST") { UI.error(rest); return; }
      this.online = new Set(rest.split(",").filter((n) => n));
      UI.online(this.online);
    },
    MESG(verb, rest, context) {
      if (verb === "ERR") {
        UI.error("Not delivered: " + rest, context.key);
      }
    },
    BCST(verb, rest) {
      if (verb === "ERR") UI.error("Not delivered: " + rest, EVERYONE);
    },
    QUIT() {},
    FILE(verb, rest, context) { Files.answer(verb, rest, context); },
    default(verb, rest) {
      if (verb === "ERR") UI.error(rest); else UI.notice(verb + " " + rest);
    },
  },
  onPush: {
    MESG(rest) {
      const i = rest.indexOf(" ");
      const from = rest.slice(0, i);
      UI.add(from.toLowerCase(), {kind: "private", from, text: rest.slice(i + 1)},
             from);
    },
    BCST(rest) {
      const i = rest.indexOf(" ");
      UI.add(EVERYONE, {kind: "other", from: rest.slice(0, i),
                        text: rest.slice(i + 1)});
    },
    JOINED(name) {
      this.online.add(name);
      UI.online(this.online);
      UI.notice(name + " joined.", EVERYONE);
    },
    LEFT(name) {
      this.online.delete(name);
      UI.online(this.online);
      UI.notice(name + " left.", EVERYONE);
      if (UI.conversations.has(name.toLowerCase())) {
        UI.notice(name + " left.", name.toLowerCase());
      }
    },
    FILE(rest) { Files.push(rest); },
    BYE(reason) {
      UI.notice("The server closed the connection: " + reason, EVERYONE);
    },
  },
  // What a user may type besides plain text (see CLIENT.md).
  commands: {
    "/msg"(args) {
      const i = args.indexOf(" ");
      if (i < 1) { UI.error("Usage: /msg NAME TEXT"); return; }
      Chat.privateMessage(args.slice(0, i), args.slice(i + 1));
    },
    "/all"(args) { Chat.broadcast(args); },
    "/who"() { Chat.send("LIST"); },
    "/list"() { Chat.send("LIST"); },
    "/quit"() { Chat.leave(); },
    "/help"() {
      UI.notice("Type a message and press Enter. Click a name under Online " +
                "to talk privately. Commands: /msg NAME TEXT, /all TEXT, " +
                "/who, /quit, or any protocol line such as PING. To send a " +
                "file, open a private conversation and use File… or drop " +
                "the file on the page.");
    },
  },
  privateMessage(to, text) {
    const key = to.toLowerCase();
    UI.conversation(key, to);
    if (this.send("MESG " + to + " " + text, {verb: "MESG", key})) {
      UI.add(key, {kind: "own", from: this.name, text}, to);
    }
  },
  broadcast(text) {
    if (this.send("BCST " + text)) {
      UI.add(EVERYONE, {kind: "own", from: this.name, text});
    }
  },
  typed(text) {
    if (!text.trim()) return;
    const first = text.split(" ")[0];
    if (this.commands[first]) {
      this.commands[first](text.slice(first.length + 1));
    } else if (/^[A-Z]+( |$)/.test(text)) {
      UI.notice("> " + text);
      this.send(text);
    } else if (UI.current === EVERYONE) {
      this.broadcast(text);
    } else {
      this.privateMessage(UI.conversations.get(UI.current).title, text);
    }
  },
  leave() {
    this.leaving = true;
    if (this.joined) this.send("QUIT");
    else if (this.socket) this.socket.close();
    this.joined = false;
    $("chat").classList.add("hidden");
    $("leave").classList.add("hidden");
    $("toggle-side").classList.add("hidden");
    $("welcome").classList.remove("hidden");
    UI.status("Not connected");
    $("name").focus();
  },
};

$("toggle-side").addEventListener("click", () => {
  UI.collapseSide(!$("side").classList.contains("collapsed"));
});
window.addEventListener("online", () => {
  if (!Chat.socket && !Chat.leaving && Chat.wanted) Chat.connect();
});

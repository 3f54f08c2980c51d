"use strict";
/*
 * Rooms (PROTOCOL.md "Rooms") and private-chat requests ("Private-message
 * requests"), added to the page through the hooks the first script offers:
 * push and answer handlers, commands, and wrappers of UI.show and
 * Chat.joinedAs. A room is a conversation whose key is its lower-cased
 * name (user names cannot start with "#"); typing in it sends MESG #room.
 */
const Rooms = {
  joined: new Map(),    // key -> spelling, rooms this session is in
  members: new Map(),   // key -> Set of names, from LIST #room and pushes
  chats: new Set(),     // lower-cased names with an accepted private chat
  invitations: new Map(),  // lower-cased name -> spelling, pending

  isRoom(key) { return typeof key === "string" && key.startsWith("#"); },
  normal(text) {
    const t = text.trim();
    return t.startsWith("#") ? t : "#" + t;
  },
  join(room) {
    room = this.normal(room);
    if (!/^#[A-Za-z0-9_-]{1,32}$/.test(room)) {
      UI.error("A room name is # and 1 to 32 letters, digits, _ or -.");
      return;
    }
    Chat.send("JOIN " + room, {verb: "ROOM_JOIN", room});
  },
  part(room) { Chat.send("PART " + room, {verb: "ROOM_PART", room}); },
  who(room) { Chat.send("LIST " + room, {verb: "ROOM_LIST", room, say: true}); },
  // Shows which buttons fit the conversation on screen.
  toolbar() {
    const key = UI.current;
    const room = this.isRoom(key) && this.joined.has(key);
    const person = key !== EVERYONE && !this.isRoom(key);
    $("members").classList.toggle("hidden", !this.isRoom(key));
    $("part-room").classList.toggle("hidden", !room);
    $("invite").classList.toggle("hidden", !person || this.chats.has(key));
    $("end-chat").classList.toggle("hidden", !person || !this.chats.has(key));
  },
  renderInvitations() {
    const list = $("invitations");
    list.replaceChildren();
    for (const [key, name] of this.invitations) {
      const li = document.createElement("li");
      const what = document.createElement("span");
      what.textContent = name + " asks to chat privately";
      const yes = document.createElement("button");
      yes.type = "button";
      yes.textContent = "Accept";
      yes.addEventListener("click", () => Chat.send("ACCEPT " + name,
          {verb: "CONSENT", name, key, act: "accept"}));
      const no = document.createElement("button");
      no.type = "button";
      no.className = "plain";
      no.textContent = "Reject";
      no.addEventListener("click", () => Chat.send("REJECT " + name,
          {verb: "CONSENT", name, key, act: "reject"}));
      li.append(what, yes, no);
      list.append(li);
    }
  },
  renderRoomList(entries) {
    const list = $("room-list");
    list.replaceChildren();
    if (entries.length === 0) {
      const li = document.createElement("li");
      li.textContent = "No rooms yet: name one above to create it.";
      list.append(li);
    }
    for (const entry of entries) {
      const colon = entry.lastIndexOf(":");
      const room = entry.slice(0, colon);
      const count = entry.slice(colon + 1);
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = room + " (" + count + ")";
      b.title = "Join " + room;
      b.addEventListener("click", () => {
        const key = room.toLowerCase();
        if (this.joined.has(key)) UI.show(key); else this.join(room);
      });
      li.append(b);
      list.append(li);
    }
  },
};

// The title and placeholder of a room; the toolbar of every conversation.
const showConversation = UI.show.bind(UI);
UI.show = (key) => {
  showConversation(key);
  if (Rooms.isRoom(key)) {
    const title = UI.conversations.get(key).title;
    $("title").textContent = "Room " + title +
        (Rooms.joined.has(key) ? "" : " (you left it)");
    $("text").placeholder = "Write to " + title + ", Enter to send";
  }
  Rooms.toolbar();
};

// A new connection (a reconnect) enters the rooms the page was in again.
const joinedAs = Chat.joinedAs.bind(Chat);
Chat.joinedAs = (name) => {
  const rooms = [...Rooms.joined.values()];
  Rooms.joined.clear();
  Rooms.invitations.clear();
  Rooms.renderInvitations();
  joinedAs(name);
  Chat.send("CHATS", {verb: "CHATS"});
  // The setting of a session without an account does not outlive it.
  if ($("privacy").checked) Chat.send("PRIVACY ask", {verb: "PRIVACY"});
  for (const room of rooms) Rooms.join(room);
};

const pushMesg = Chat.onPush.MESG;
Chat.onPush.MESG = function (rest) {
  if (!Rooms.isRoom(rest)) { pushMesg.call(this, rest); return; }
  const [room, from] = rest.split(" ", 2);
  const text = rest.slice(room.length + from.length + 2);
  UI.add(room.toLowerCase(), {kind: "other", from, text}, room);
};
const pushJoined = Chat.onPush.JOINED;
Chat.onPush.JOINED = function (rest) {
  if (!Rooms.isRoom(rest)) { pushJoined.call(this, rest); return; }
  const [room, name] = rest.split(" ");
  const key = room.toLowerCase();
  if (!Rooms.members.has(key)) Rooms.members.set(key, new Set());
  Rooms.members.get(key).add(name);
  UI.notice(name + " entered the room.", key);
};
const pushLeft = Chat.onPush.LEFT;
Chat.onPush.LEFT = function (rest) {
  if (Rooms.isRoom(rest)) {
    const [room, name] = rest.split(" ");
    const key = room.toLowerCase();
    Rooms.members.get(key)?.delete(name);
    UI.notice(name + " left the room.", key);
    return;
  }
  pushLeft.call(this, rest);
  // Leaving the server leaves every room, told once (PROTOCOL.md).
  for (const [key, names] of Rooms.members) {
    if (names.delete(rest)) UI.notice(rest + " left.", key);
  }
  // An invitation lapses when the inviter leaves.
  if (Rooms.invitations.delete(rest.toLowerCase())) Rooms.renderInvitations();
};
Chat.onPush.INVITE = function (from) {
  const key = from.toLowerCase();
  Rooms.invitations.set(key, from);
  Rooms.renderInvitations();
  UI.notice(from + " asks to chat privately with you: accept or reject " +
            "the invitation on the left.", EVERYONE);
};
Chat.onPush.ACCEPTED = function (name) {
  const key = name.toLowerCase();
  Rooms.chats.add(key);
  UI.conversation(key, name);
  UI.notice(name + " accepted: you can now write to each other privately.",
            key);
  Rooms.toolbar();
};
Chat.onPush.REJECTED = function (name) {
  UI.notice(name + " declined your invitation.", name.toLowerCase());
};
Chat.onPush.ENDED = function (name) {
  const key = name.toLowerCase();
  Rooms.chats.delete(key);
  UI.notice(name + " ended the private chat.", key);
  Rooms.toolbar();
};

// "JOIN #room" typed as a protocol line is a room, not a new name.
const answerJoin = Chat.onAnswer.JOIN;
Chat.onAnswer.JOIN = function (verb, rest, context) {
  const room = rest.split(" ").pop();
  if (this.joined && verb === "OK" && Rooms.isRoom(room)) {
    Chat.onAnswer.ROOM_JOIN(verb, rest, {room});
  } else if (!this.joined || verb === "OK") {
    answerJoin.call(this, verb, rest, context);
  } else {
    UI.error(rest);
  }
};
const answerMesg = Chat.onAnswer.MESG;
Chat.onAnswer.MESG = function (verb, rest, context) {
  if (verb === "ERR" && rest.startsWith("Not Accepted")) {
    UI.error("Not delivered: " + (UI.conversations.get(context.key)?.title ||
             "they") + " takes private messages only from people they " +
             "accepted. Use \u201cAsk to chat privately\u201d to invite them.",
             context.key);
    return;
  }
  answerMesg.call(this, verb, rest, context);
};
Object.assign(Chat.onAnswer, {
  ROOM_JOIN(verb, rest, context) {
    if (verb !== "OK") { UI.error("Cannot join " + context.room + ": " + rest);
      return; }
    const room = rest.split(" ")[1];
    const key = room.toLowerCase();
    Rooms.joined.set(key, room);
    UI.conversation(key, room).title = room;
    UI.notice("You entered " + room + ".", key);
    UI.show(key);
    Chat.send("LIST " + room, {verb: "ROOM_LIST", room});
  },
  ROOM_PART(verb, rest, context) {
    if (verb !== "OK") { UI.error(rest); return; }
    const key = context.room.toLowerCase();
    Rooms.joined.delete(key);
    Rooms.members.delete(key);
    UI.notice("You left " + context.room + ".", key);
    if (UI.current === key) UI.show(key);
  },
  ROOM_LIST(verb, rest, context) {
    if (verb !== "LIST") { UI.error(rest); return; }
    const space = rest.indexOf(" ");
    const names = space < 0 ? [] : rest.slice(space + 1).split(",");
    const key = context.room.toLowerCase();
    if (Rooms.joined.has(key)) Rooms.members.set(key, new Set(names));
    if (context.say || !Rooms.joined.has(key)) {
      UI.notice("In " + context.room + ": " + names.join(", "),
                Rooms.joined.has(key) ? key : UI.current);
    } else {
      UI.notice("In the room: " + names.join(", "), key);
    }
  },
  ROOMS(verb, rest) {
    if (verb !== "ROOMS") { UI.error(rest); return; }
    Rooms.renderRoomList(rest ? rest.split(",") : []);
  },
  CHATS(verb, rest, context) {
    if (verb !== "CHATS") { UI.error(rest); return; }
    Rooms.chats = new Set(rest ? rest.toLowerCase().split(",") : []);
    Rooms.toolbar();
    if (context.say) {
      UI.notice(rest ? "Private chats accepted: " + rest.split(",").join(", ")
                     : "No accepted private chats.");
    }
  },
  CONSENT(verb, rest, context) {
    if (context.act === "accept" || context.act === "reject") {
      Rooms.invitations.delete(context.key);
      Rooms.renderInvitations();
    }
    if (verb !== "OK") { UI.error(rest, context.key); return; }
    if (context.act === "accept") {
      Rooms.chats.add(context.key);
      UI.conversation(context.key, context.name);
      UI.notice("You accepted " + context.name + "'s invitation.", context.key);
    } else if (context.act === "reject") {
      UI.notice("You declined " + context.name + "'s invitation.");
    } else if (context.act === "invite") {
      UI.notice("Invitation sent to " + context.name + ".", context.key);
    } else if (context.act === "end") {
      Rooms.chats.delete(context.key);
      UI.notice("You ended the private chat with " + context.name + ".",
                context.key);
    }
    Rooms.toolbar();
  },
  PRIVACY(verb, rest) {
    if (verb !== "OK") { UI.error(rest); return; }
    const setting = rest.split(" ")[1];
    $("privacy").checked = setting === "ask";
    UI.notice(setting === "ask"
        ? "Only people you accept may now write to you privately."
        : "Anyone may now write to you privately.");
  },
});

function consent(act, verb) {
  return (args) => {
    const name = args.trim();
    if (!/^[A-Za-z0-9]{1,32}$/.test(name)) {
      UI.error("Usage: /" + act + " NAME");
      return;
    }
    Chat.send(verb + " " + name,
              {verb: "CONSENT", name, key: name.toLowerCase(), act});
  };
}
const who = Chat.commands["/who"];
Object.assign(Chat.commands, {
  "/join"(args) { Rooms.join(args); },
  "/part"(args) {
    const room = args.trim() ? Rooms.normal(args) :
        (Rooms.isRoom(UI.current) ? UI.conversations.get(UI.current).title : "");
    if (!room) { UI.error("Usage: /part #room"); return; }
    Rooms.part(room);
  },
  "/rooms"() { Chat.send("ROOMS", {verb: "ROOMS"}); },
  "/who"(args) {
    if (args.trim().startsWith("#")) Rooms.who(args.trim()); else who(args);
  },
  "/invite": consent("invite", "INVITE"),
  "/accept": consent("accept", "ACCEPT"),
  "/reject": consent("reject", "REJECT"),
  "/end": consent("end", "END"),
  "/chats"() { Chat.send("CHATS", {verb: "CHATS", say: true}); },
  "/privacy"(args) {
    const setting = args.trim();
    if (setting !== "open" && setting !== "ask") {
      UI.error("Usage: /privacy open|ask");
      return;
    }
    Chat.send("PRIVACY " + setting, {verb: "PRIVACY"});
  },
});
const help = Chat.commands["/help"];
Chat.commands["/help"] = () => {
  help();
  UI.notice("Rooms: /join #room, /part, /rooms, /who #room. Private chats: " +
            "/invite NAME, /accept NAME, /reject NAME, /end NAME, /chats, " +
            "/privacy open|ask.");
};

$("room-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const room = $("room-name").value;
  if (!room.trim()) return;
  $("room-name").value = "";
  Rooms.join(room);
});
$("browse-rooms").addEventListener("click",
    () => Chat.send("ROOMS", {verb: "ROOMS"}));
$("privacy").addEventListener("change", () => {
  Chat.send("PRIVACY " + ($("privacy").checked ? "ask" : "open"),
            {verb: "PRIVACY"});
});
$("members").addEventListener("click", () => {
  Rooms.who(UI.conversations.get(UI.current).title);
});
$("part-room").addEventListener("click", () => {
  Rooms.part(UI.conversations.get(UI.current).title);
});
$("invite").addEventListener("click", () => {
  Chat.commands["/invite"](UI.conversations.get(UI.current).title);
});
$("end-chat").addEventListener("click", () => {
  Chat.commands["/end"](UI.conversations.get(UI.current).title);
});

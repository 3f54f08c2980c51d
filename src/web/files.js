/*
 * File transfer (PROTOCOL.md "File transfer"): an offer to the person of a
 * private conversation (file picker or a file dropped on the page), the
 * chunks sent only once accepted and never more than the window ahead of
 * the recipient's ACKs; an incoming offer accepted or declined with its
 * buttons, its chunks acknowledged as they come, and the file offered for
 * download (a Blob) only once its size and SHA-256 match the offer.
 */
// SHA-256 (FIPS 180-4) for when crypto.subtle is missing: browsers offer it
// only in secure contexts (https, or http from 127.0.0.1 or localhost), and
// a page served over plain http from another machine is not one.
class Sha256 {
  constructor() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.block = new Uint8Array(64);
    this.used = 0;
    this.length = 0;
    this.w = new Uint32Array(64);
  }
  update(bytes) {
    this.length += bytes.length;
    for (let i = 0; i < bytes.length;) {
      const n = Math.min(64 - this.used, bytes.length - i);
      this.block.set(bytes.subarray(i, i + n), this.used);
      this.used += n;
      i += n;
      if (this.used === 64) { this.compress(); this.used = 0; }
    }
  }
  compress() {
    const w = this.w, b = this.block, K = Sha256.K;
    const r = (x, n) => (x >>> n) | (x << (32 - n));
    for (let t = 0; t < 16; t++) {
      w[t] = (b[4 * t] << 24) | (b[4 * t + 1] << 16) | (b[4 * t + 2] << 8) |
             b[4 * t + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15], y = w[t - 2];
      w[t] = w[t - 16] + (r(x, 7) ^ r(x, 18) ^ (x >>> 3)) + w[t - 7] +
             (r(y, 17) ^ r(y, 19) ^ (y >>> 10));
    }
    let [a, bb, c, d, e, f, g, h] = this.h;
    for (let t = 0; t < 64; t++) {
      const t1 = (h + (r(e, 6) ^ r(e, 11) ^ r(e, 25)) + ((e & f) ^ (~e & g)) +
                  K[t] + w[t]) | 0;
      const t2 = ((r(a, 2) ^ r(a, 13) ^ r(a, 22)) +
                  ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    const H = this.h;
    H[0] += a; H[1] += bb; H[2] += c; H[3] += d;
    H[4] += e; H[5] += f; H[6] += g; H[7] += h;
  }
  hex() {
    const bits = this.length * 8;
    this.update(new Uint8Array([0x80]));
    while (this.used !== 56) this.update(new Uint8Array([0]));
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, Math.floor(bits / 2 ** 32));
    new DataView(tail.buffer).setUint32(4, bits >>> 0);
    this.update(tail);
    return [...this.h].map((x) => x.toString(16).padStart(8, "0")).join("");
  }
}
Sha256.K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
  0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

const Files = {
  CHUNK: 3000,              // raw bytes per FILE DATA
  WINDOW: 256 * 1024,       // sent and not acknowledged, at most
  byId: new Map(),          // id -> transfer
  waiting: [],              // our offers sent, not answered yet, in order

  human(bytes) {
    if (bytes < 1024) return bytes + " B";
    const units = ["KiB", "MiB", "GiB"];
    let value = bytes / 1024, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return value.toFixed(1) + " " + units[unit];
  },
  // The name an offer carries: no path separators or control characters,
  // at most 255 bytes of UTF-8.
  offerName(name) {
    let clean = name.replace(/[\u0000-\u001f\u007f-\u009f\/\\]/g, "_") || "file";
    while (new TextEncoder().encode(clean).length > 255) {
      clean = [...clean].slice(0, -1).join("");
    }
    return clean;
  },
  async sha256(blob) {
    // crypto.subtle hashes a whole buffer at once: big files go through
    // the page's own SHA-256 a piece at a time instead.
    if (window.crypto && crypto.subtle && blob.size <= (256 << 20)) {
      const digest = await crypto.subtle.digest("SHA-256",
                                                await blob.arrayBuffer());
      return [...new Uint8Array(digest)]
          .map((x) => x.toString(16).padStart(2, "0")).join("");
    }
    const hash = new Sha256();
    for (let at = 0; at < blob.size; at += 1 << 20) {
      hash.update(new Uint8Array(
          await blob.slice(at, at + (1 << 20)).arrayBuffer()));
    }
    return hash.hex();
  },
  toBase64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  },
  fromBase64(text) {
    if (!/^[A-Za-z0-9+\/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      throw new Error("not Base64");
    }
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  },

  // The person of the current conversation, or null in Everyone.
  target() {
    if (UI.current === EVERYONE || UI.current.startsWith("#")) return null;
    return UI.conversations.get(UI.current).title;
  },
  offerFiles(files) {
    const to = this.target();
    if (!to) {
      UI.error("Files go to one person: open a private conversation first " +
               "(click a name under Online).");
      return;
    }
    for (const file of files) this.offer(file, to);
  },
  async offer(file, to) {
    const t = {outgoing: true, file, peer: to, name: this.offerName(file.name),
               size: file.size, sent: 0, acked: 0, state: "reading",
               id: null};
    this.render(t);
    let sha;
    try {
      sha = await this.sha256(file);
    } catch (e) {
      this.fail(t, "could not read the file");
      return;
    }
    const line = "FILE OFFER " + to + " " + file.size + " " + sha + " " + t.name;
    if (Chat.send(line, {verb: "FILE", sub: "OFFER", t})) {
      t.state = "offering";
      this.waiting.push(t);
    } else {
      this.fail(t, "not connected");
    }
    this.render(t);
  },
  pump(t) {
    if (t.state !== "sending" || t.reading) return;
    if (t.sent === t.size) {
      t.state = "ending";
      Chat.send("FILE END " + t.id, {verb: "FILE", sub: "END", t});
      this.render(t);
      return;
    }
    let want = Math.min(t.size - t.sent, this.WINDOW - (t.sent - t.acked),
                        16 * this.CHUNK);
    if (want < t.size - t.sent) want -= want % this.CHUNK;
    if (want <= 0) return;  // the next ACK makes room
    t.reading = true;
    t.file.slice(t.sent, t.sent + want).arrayBuffer().then((buffer) => {
      t.reading = false;
      if (t.state !== "sending") return;
      const bytes = new Uint8Array(buffer);
      if (bytes.length !== want) { this.cancel(t, "the file changed"); return; }
      for (let at = 0; at < bytes.length; at += this.CHUNK) {
        Chat.sendUnanswered("FILE DATA " + t.id + " " +
                            this.toBase64(bytes.subarray(at, at + this.CHUNK)));
      }
      t.sent += bytes.length;
      this.pump(t);
    }, () => { t.reading = false; this.cancel(t, "could not read the file"); });
  },

  onOffer(from, id, size, sha, name) {
    const t = {outgoing: false, id, peer: from, name, size: Number(size), sha,
               chunks: [], received: 0, state: "offered"};
    this.byId.set(id, t);
    this.render(t);
    UI.notice(from + " offers you the file " + name + " (" +
              this.human(t.size) + "): Accept or Decline it below.",
              from.toLowerCase());
  },
  accept(t) {
    if (t.state !== "offered") return;
    if (Chat.send("FILE ACCEPT " + t.id, {verb: "FILE", sub: "ACCEPT", t})) {
      t.state = "accepting";
      this.render(t);
    }
  },
  decline(t) {
    if (t.state !== "offered") return;
    if (Chat.send("FILE REJECT " + t.id, {verb: "FILE", sub: "REJECT", t})) {
      t.state = "stopping";
      this.render(t);
    }
  },
  cancel(t, why) {
    if (t.id !== null) {
      Chat.send("FILE CANCEL " + t.id, {verb: "FILE", sub: "CANCEL", t});
    }
    this.fail(t, why || "cancelled");
  },
  onData(t, text) {
    if (t.outgoing || (t.state !== "receiving" && t.state !== "accepting")) {
      return;
    }
    let bytes;
    try {
      bytes = this.fromBase64(text);
    } catch (e) {
      this.cancel(t, "a chunk was not valid Base64");
      return;
    }
    if (t.received + bytes.length > t.size) {
      this.cancel(t, "more data came than offered");
      return;
    }
    t.chunks.push(bytes);
    t.received += bytes.length;
    Chat.sendUnanswered("FILE ACK " + t.id + " " + t.received);
    this.render(t);
  },
  async onEnd(t) {
    if (t.outgoing || t.state !== "receiving") return;
    t.state = "checking";
    this.render(t);
    if (t.received !== t.size) {
      this.fail(t, "only " + t.received + " of " + t.size + " bytes came");
      return;
    }
    const blob = new Blob(t.chunks, {type: "application/octet-stream"});
    t.chunks = [];
    const sha = await this.sha256(blob);
    if (sha !== t.sha) {
      this.fail(t, "its SHA-256 does not match the offer; not kept");
      return;
    }
    t.url = URL.createObjectURL(blob);
    this.finish(t, "received, size and SHA-256 checked");
  },
  finish(t, text) {
    t.state = "done";
    t.note = text;
    if (t.id !== null) this.byId.delete(t.id);
    this.render(t);
  },
  fail(t, why) {
    if (t.state === "done" || t.state === "failed") return;
    t.state = "failed";
    t.note = why;
    t.chunks = [];
    if (t.id !== null) this.byId.delete(t.id);
    this.waiting = this.waiting.filter((w) => w !== t);
    this.render(t);
  },
  connectionLost() {
    for (const t of [...this.byId.values(), ...this.waiting]) {
      this.fail(t, "the connection was lost");
    }
  },
  aborted(reason) {
    const why = {
      "Cancelled": "the other side cancelled it",
      "Sender Left": "the sender left",
      "Recipient Left": "the recipient left",
      "Offer Timeout": "the offer was not answered in time",
      "Stalled": "nothing moved for too long",
      "Incomplete": "it ended before all the data came",
    }[reason];
    return "stopped by the server: " + reason + (why ? " (" + why + ")" : "");
  },

  // Pushes ("FILE <rest>") and answers to our FILE requests.
  push(rest) {
    const words = rest.split(" ");
    const sub = words[0];
    if (sub === "OFFER" && words.length >= 6) {
      this.onOffer(words[1], words[2], words[3], words[4],
                   words.slice(5).join(" "));
      return;
    }
    const t = this.byId.get(words[1]);
    if (!t) return;  // over here already
    if (sub === "ACCEPT" && t.outgoing && t.state === "offered") {
      t.state = "sending";
      t.started = performance.now();
      this.pump(t);
    } else if (sub === "REJECT" && t.outgoing) {
      this.fail(t, t.peer + " declined it");
      return;
    } else if (sub === "ACK" && t.outgoing) {
      const acked = Number(words[2]);
      if (acked >= t.acked && acked <= t.sent) t.acked = acked;
      this.pump(t);
    } else if (sub === "DATA") {
      this.onData(t, words[2] || "");
      return;
    } else if (sub === "END") {
      this.onEnd(t);
      return;
    } else if (sub === "ABORT") {
      this.fail(t, this.aborted(words.slice(2).join(" ")));
      return;
    }
    this.render(t);
  },
  answer(verb, rest, context) {
    const t = context.t;
    if (!t) {  // typed by hand
      if (verb === "ERR") UI.error(rest); else UI.notice(verb + " " + rest);
      return;
    }
    if (context.sub === "OFFER") {
      this.waiting = this.waiting.filter((w) => w !== t);
      if (verb !== "OK") { this.fail(t, "not sent: " + rest); return; }
      t.id = rest.split(" ")[2];
      t.state = "offered";
      this.byId.set(t.id, t);
    } else if (verb !== "OK") {
      if (context.sub !== "CANCEL") this.fail(t, rest);
      return;
    } else if (context.sub === "ACCEPT" && t.state === "accepting") {
      t.state = "receiving";
      t.started = performance.now();
    } else if (context.sub === "REJECT") {
      this.fail(t, "declined");
      return;
    } else if (context.sub === "END") {
      this.finish(t, "sent");
      return;
    }
    this.render(t);
  },

  render(t) {
    if (!t.li) {
      t.li = document.createElement("li");
      $("files").append(t.li);
    }
    const li = t.li;
    li.className = t.state;
    li.replaceChildren();
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = (t.outgoing ? "To " : "From ") + t.peer + ": " +
                       t.name + " (" + this.human(t.size) + ")";
    li.append(what);
    const done = t.outgoing ? t.acked : t.received;
    if (["sending", "ending", "receiving", "checking"].includes(t.state)) {
      const bar = document.createElement("progress");
      bar.max = Math.max(1, t.size);
      bar.value = done;
      bar.setAttribute("aria-label", "Progress of " + t.name);
      li.append(bar);
    }
    const state = document.createElement("span");
    state.className = "state";
    const seconds = t.started ? (performance.now() - t.started) / 1000 : 0;
    const rate = seconds > 0.2 ? done / seconds : 0;
    state.textContent = {
      reading: "reading the file…",
      offering: "offering…",
      offered: t.outgoing ? "waiting for " + t.peer + " to accept"
                          : "offered to you",
      accepting: "accepting…",
      sending: this.human(done) + " sent" +
               (rate ? ", " + this.human(rate) + "/s" : ""),
      ending: "finishing…",
      receiving: this.human(done) + " received" +
                 (rate ? ", " + this.human(rate) + "/s, " +
                  Math.round((t.size - done) / rate) + " s left" : ""),
      checking: "checking the SHA-256…",
      stopping: "stopping…",
      done: t.note,
      failed: "failed: " + t.note,
    }[t.state] || t.state;
    li.append(state);
    const button = (label, action, plain) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      if (plain) b.className = "plain";
      b.addEventListener("click", action);
      li.append(b);
    };
    if (!t.outgoing && t.state === "offered") {
      button("Accept", () => this.accept(t));
      button("Decline", () => this.decline(t), true);
    } else if (["offered", "sending", "receiving", "accepting"]
                   .includes(t.state)) {
      button("Cancel", () => this.cancel(t), true);
    }
    if (t.url) {
      const a = document.createElement("a");
      a.href = t.url;
      a.download = this.offerName(t.name.replace(/^\.+/, "")) || "file";
      a.textContent = "Save " + t.name;
      li.append(a);
    }
    if (t.state === "done" || t.state === "failed") {
      button("Dismiss", () => {
        li.remove();
        if (t.url) URL.revokeObjectURL(t.url);
      }, true);
    }
  },
};

$("welcome").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("name").value.trim();
  if (!/^[A-Za-z0-9]{1,32}$/.test(name)) {
    $("form-error").textContent =
        "Use 1 to 32 letters or digits, without spaces.";
    return;
  }
  $("form-error").textContent = "";
  Chat.wanted = {name, password: $("password").value,
                 register: $("register").checked};
  Chat.leaving = false;
  Chat.retries = 0;
  if (Chat.socket) Chat.socket.close();
  Chat.connect();
});
$("show-account").addEventListener("click", () => {
  $("account").classList.remove("hidden");
  $("password").focus();
});
$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value;
  $("text").value = "";
  for (const line of text.split("\n")) Chat.typed(line);
});
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});
$("leave").addEventListener("click", () => Chat.leave());
$("send-file").addEventListener("click", () => $("file-input").click());
$("file-input").addEventListener("change", () => {
  Files.offerFiles([...$("file-input").files]);
  $("file-input").value = "";
});
// A file dropped anywhere on the page goes to the current conversation.
document.addEventListener("dragover", (event) => {
  if (!event.dataTransfer || !event.dataTransfer.types.includes("Files")) {
    return;
  }
  event.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", (event) => {
  if (event.relatedTarget === null) document.body.classList.remove("dragging");
});
document.addEventListener("drop", (event) => {
  document.body.classList.remove("dragging");
  if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
  event.preventDefault();
  if (Chat.joined) Files.offerFiles([...event.dataTransfer.files]);
});

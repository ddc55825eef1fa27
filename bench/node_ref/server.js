// bench/live.py's Node.js reference: socket.io 4 on Node's own http server, what a NodeBB-style
// stack gets. `join` puts the socket in a room (acknowledged); `POST /post` emits one
// post_created of the board's size to room thread:1. Usage: node server.js PORT
const http = require("http");
const { Server } = require("socket.io");

const sample = JSON.parse(process.env.SAMPLE_POST);
let counter = 0;
const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/post") {
    counter += 1;
    io.to("thread:1").emit("post_created", { thread_id: 1, post: { ...sample, id: counter } });
    res.writeHead(201, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ post: { id: counter } }));
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(server, { transports: ["websocket", "polling"], perMessageDeflate: false });
io.on("connection", (socket) => {
  socket.on("join", (data, ack) => {
    socket.join(data.room);
    if (typeof ack === "function") ack({ ok: true });
  });
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => console.log("LISTENING"));

// live.js: the live view of one arena (/watch?arena=N). Frames arrive over
// the WebSocket /ws?arena=N at the spectator rate; each is acknowledged
// ("ack <frames received>"; the server drops a page that stops) and drawn
// blended from the previous one, so bots move smoothly between frames.
// When the socket closes the page says so and reconnects every second.
// window.qbotView exposes the page's state to tests.
'use strict';

(() => {
  const arena = new URLSearchParams(location.search).get('arena') || '';
  const status = document.getElementById('status');
  const view = new QbotDraw.View(document.getElementById('arena'), {
    killFeed: document.getElementById('kill-feed'),
    scoreboard: document.getElementById('scoreboard'),
    phase: document.getElementById('phase'),
  });
  const state = window.qbotView = {
    arena, connected: false, refused: null, frameCount: 0, bots: [], aliveBots: 0, drawnBots: 0, killFeed: [],
    phase: '', map: '',
  };
  let prev = null, next = null, nextAt = 0, interval = 1000 / 15, socket = null, received = 0;

  function setStatus(textValue, cls) {
    status.textContent = textValue;
    status.className = cls;
  }

  function onFrame(frame) {
    const now = performance.now();
    if (next) interval = Math.max(20, Math.min(500, now - nextAt));
    prev = next && next.map === frame.map ? next : null;
    next = frame;
    nextAt = now;
    state.frameCount += 1;
    state.bots = frame.bots;
    state.aliveBots = frame.bots.filter((b) => b.alive).length;
    state.killFeed = frame.killFeed;
    state.phase = frame.phase;
    view.showSide(frame);
  }

  function onMessage(event) {
    let msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === 'map') {
      view.setMap(msg);
      state.map = msg.name;
      document.getElementById('map-name').textContent = msg.name;
    } else if (msg.type === 'frame') {
      received += 1;
      socket.send('ack ' + received);
      onFrame(msg);
    } else if (msg.type === 'refused') {
      state.refused = msg.reason;
      setStatus('refused: ' + msg.reason, 'bad');
    }
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    socket = new WebSocket(scheme + location.host + '/ws?arena=' + encodeURIComponent(arena));
    received = 0;
    setStatus('connecting…', 'wait');
    socket.onopen = () => {
      state.connected = true;
      setStatus('live (waiting for delayed frames)', 'good');
    };
    socket.onmessage = onMessage;
    socket.onerror = () => {};  // onclose follows and says it
    socket.onclose = () => {
      const wasRefused = state.refused !== null;
      state.connected = false;
      socket = null;
      if (!wasRefused) setStatus('disconnected — reconnecting…', 'bad');
      setTimeout(() => { state.refused = null; connect(); }, wasRefused ? 5000 : 1000);
    };
  }

  setInterval(() => { if (socket && socket.readyState === 1) socket.send('ping'); }, 2000);

  function render() {
    const t = next ? Math.min(1, (performance.now() - nextAt) / interval) : 0;
    state.drawnBots = view.draw(prev, next, t);
    if (state.connected && next && status.className === 'good') setStatus('live', 'good');
    requestAnimationFrame(render);
  }

  document.getElementById('arena-id').textContent = arena;
  connect();
  requestAnimationFrame(render);
})();

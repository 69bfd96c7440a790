// replay.js: the replay player of `qbot-replay html`. The recording's frames
// are in the page (the <script id="qbot-data"> JSON); play/pause, speed and
// the timeline choose which two frames view.js blends. The final scoreboard
// is the recording's result, as `qbot-replay info` prints it.
// window.qbotReplay and window.qbotView expose the state to tests.
'use strict';

(() => {
  const data = JSON.parse(document.getElementById('qbot-data').textContent);
  const frames = data.frames;
  const rate = frames.length > 1 ? data.tickRate / Math.max(1, frames[1].tick - frames[0].tick) : 20;
  const view = new QbotDraw.View(document.getElementById('arena'), {
    killFeed: document.getElementById('kill-feed'),
    scoreboard: document.getElementById('scoreboard'),
    phase: document.getElementById('phase'),
  });
  const timeline = document.getElementById('timeline');
  const play = document.getElementById('play');
  const speed = document.getElementById('speed');
  const state = window.qbotView = { frameCount: frames.length, bots: [], aliveBots: 0, drawnBots: 0, killFeed: [] };
  const player = window.qbotReplay = {
    frameCount: frames.length, position: 0, playing: true, results: data.results,
    // A range input can report '' (NaN) while it is being edited: ignore it.
    seek(index) {
      if (!Number.isFinite(index)) return;
      player.position = Math.max(0, Math.min(frames.length - 1, index));
      show();
    },
  };

  view.setMap(data.map);
  document.getElementById('map-name').textContent = data.map.name;
  document.getElementById('match-id').textContent = data.match;
  timeline.max = String(Math.max(0, frames.length - 1));

  const final = document.getElementById('final-scoreboard');
  final.replaceChildren(QbotDraw.row(['place', 'name', 'team', 'kills', 'deaths', 'damage', 'score'], 'th'),
    ...data.results.map((r) => QbotDraw.row([r.placement, r.name, r.team, r.kills, r.deaths, r.damage, r.score])));

  function show() {
    if (frames.length === 0 || !Number.isFinite(player.position)) return;
    const i = Math.max(0, Math.min(frames.length - 1, Math.floor(player.position)));
    const frame = frames[i];
    const nextFrame = frames[Math.min(frames.length - 1, i + 1)];
    state.drawnBots = view.draw(frame, nextFrame, player.position - i);
    state.bots = frame.bots;
    state.aliveBots = frame.bots.filter((b) => b.alive).length;
    state.killFeed = frame.killFeed;
    view.showSide(frame);
    timeline.value = String(i);
  }

  play.onclick = () => {
    player.playing = !player.playing;
    play.textContent = player.playing ? 'pause' : 'play';
  };
  timeline.oninput = () => player.seek(Number(timeline.value));

  let last = performance.now();
  function tick(now) {
    const dt = (now - last) / 1000;
    last = now;
    if (player.playing && frames.length > 0) {
      player.position = Math.min(frames.length - 1, player.position + dt * rate * Number(speed.value));
      if (player.position >= frames.length - 1) {
        player.playing = false;
        play.textContent = 'play';
      }
    }
    show();
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();

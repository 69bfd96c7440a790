// view.js: draws spectator frames (the JSON of server/spectator/README.md) on
// a canvas, and the kill feed, scoreboard and phase beside it. Shared by the
// live view (live.js) and the replay player (replay.js): both pages draw the
// same way. Units on the wire: centimetres, milliradians, milliseconds.
'use strict';

const QbotDraw = (() => {
  const TEAM_COLOURS = ['#dddddd', '#e05050', '#4f8de0'];

  function paintColour(paint) {
    return '#' + (paint & 0xffffff).toString(16).padStart(6, '0');
  }

  function lerp(a, b, t) { return a + (b - a) * t; }

  // Shortest way round between two angles (milliradians).
  function lerpAngle(a, b, t) {
    const turn = 2000 * Math.PI;
    let d = (b - a) % turn;
    if (d > turn / 2) d -= turn;
    if (d < -turn / 2) d += turn;
    return a + d * t;
  }

  // Bots of `next`, moved between their place in `prev` and in `next`.
  function blendBots(prev, next, t) {
    if (!prev || t >= 1) return next.bots;
    const before = new Map(prev.bots.map((b) => [b.id, b]));
    return next.bots.map((b) => {
      const p = before.get(b.id);
      if (!p || p.alive !== b.alive) return b;  // a respawn jumps, it does not slide
      return Object.assign({}, b, { x: lerp(p.x, b.x, t), y: lerp(p.y, b.y, t), aim: lerpAngle(p.aim, b.aim, t) });
    });
  }

  function text(value) { return document.createTextNode(String(value)); }

  function row(cells, tag) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement(tag || 'td');
      td.appendChild(text(c));
      tr.appendChild(td);
    }
    return tr;
  }

  class View {
    constructor(canvas, side) {
      this.canvas = canvas;
      this.ctx = canvas.getContext('2d');
      this.side = side;  // {killFeed, scoreboard, phase}: elements, any may be null
      this.map = null;
      this.drawnBots = 0;
    }

    setMap(map) {
      this.map = map;
      const width = Math.min(960, Math.max(320, window.innerWidth - 360));
      this.canvas.width = width;
      this.canvas.height = Math.round(width * map.h / map.w);
    }

    // Draws `next` blended from `prev` by t in [0, 1]; returns the bots drawn alive.
    draw(prev, next, t) {
      const ctx = this.ctx;
      ctx.fillStyle = '#15181d';
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      if (!this.map || !next) return 0;
      const s = this.canvas.width / this.map.w;
      ctx.fillStyle = '#59606b';
      for (const [x0, y0, x1, y1] of this.map.walls) ctx.fillRect(x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s);
      ctx.strokeStyle = '#fff3a0';
      ctx.lineWidth = 1.5;
      for (const [x0, y0, x1, y1] of next.traces) {
        ctx.beginPath();
        ctx.moveTo(x0 * s, y0 * s);
        ctx.lineTo(x1 * s, y1 * s);
        ctx.stroke();
      }
      this.drawProjectiles(prev, next, t, s);
      let alive = 0;
      for (const b of blendBots(prev, next, t)) {
        if (!b.alive) continue;
        this.drawBot(b, s);
        alive += 1;
      }
      this.drawnBots = alive;
      return alive;
    }

    drawProjectiles(prev, next, t, s) {
      const ctx = this.ctx;
      const dt = prev ? (next.tick - prev.tick) / next.tickRate : 0;
      for (const [x, y, vx, vy, kind] of next.proj) {
        // Extrapolate back from the newer frame: projectiles fly straight.
        const back = (1 - Math.min(1, t)) * dt;
        ctx.fillStyle = kind === 1 ? '#ff9f40' : '#ffe070';
        ctx.beginPath();
        ctx.arc((x - vx * back) * s, (y - vy * back) * s, Math.max(2, (kind === 1 ? 25 : 15) * s), 0, 2 * Math.PI);
        ctx.fill();
      }
    }

    drawBot(b, s) {
      const ctx = this.ctx;
      const x = b.x * s, y = b.y * s, r = Math.max(4, b.r * s), aim = b.aim / 1000;
      ctx.fillStyle = paintColour(b.paint);
      ctx.strokeStyle = TEAM_COLOURS[b.team] || '#dddddd';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.strokeStyle = '#ffffff';
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + Math.cos(aim) * r * 1.8, y + Math.sin(aim) * r * 1.8);
      ctx.stroke();
      const w = r * 2.4, top = y - r - 12;
      ctx.fillStyle = '#400';
      ctx.fillRect(x - w / 2, top, w, 4);
      ctx.fillStyle = '#3ddc60';
      ctx.fillRect(x - w / 2, top, w * Math.max(0, b.hp) / Math.max(1, b.maxHp), 4);
      if (b.shield > 0) {
        ctx.fillStyle = '#5ab8ff';
        ctx.fillRect(x - w / 2, top + 5, w * Math.min(1, b.shield / Math.max(1, b.maxHp)), 3);
      }
      ctx.fillStyle = '#e8e8e8';
      ctx.font = '11px sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(b.name, x, top - 3);
    }

    // The kill feed, scoreboard and phase/timer of `frame` beside the canvas.
    showSide(frame) {
      const { killFeed, scoreboard, phase } = this.side;
      if (phase) {
        const left = Math.ceil(frame.leftMs / 1000);
        phase.textContent = frame.phase + (frame.leftMs > 0 ? ' ' + Math.floor(left / 60) + ':' +
          String(left % 60).padStart(2, '0') : '');
      }
      if (killFeed) {
        killFeed.replaceChildren(...frame.killFeed.slice().reverse().map((k) => {
          const li = document.createElement('li');
          li.appendChild(text(k.killer + ' [' + k.weapon + '] ' + k.victim));
          return li;
        }));
      }
      if (scoreboard) {
        const bots = frame.bots.slice().sort((a, b) => b.score - a.score || b.kills - a.kills);
        scoreboard.replaceChildren(row(['name', 'team', 'kills', 'deaths', 'score'], 'th'),
          ...bots.map((b) => row([b.name, b.team, b.kills, b.deaths, b.score])));
      }
    }
  }

  return { View, paintColour, row };
})();

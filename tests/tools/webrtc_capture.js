// SPDX-License-Identifier: BSD-3-Clause
//
// The capture page's script (served by webrtc_capture, run by headless
// Chromium with --use-fake-device-for-media-stream):
//
//   1. GET /config: what to send (codec, scalability mode, resolution,
//      simulcast rids, bitrate caps, how long);
//   2. getUserMedia with the fake camera at that resolution;
//   3. one sendonly video transceiver, either one encoding with the
//      scalability mode (SVC) or one encoding per rid (simulcast), the codec
//      forced with setCodecPreferences;
//   4. POST the offer to /offer, set the answer the tool returns;
//   5. once connected, log the outbound stats every second until GET
//      /status says the capture is done, then POST a summary of them to
//      /report.
//
// Every step is logged with console.log ("capture: ..."), which Chromium
// prints on stderr with --enable-logging=stderr.

'use strict';

function log(...args) {
  console.log('capture:', ...args);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The codecs of one name from the sender's capabilities, the one the tool
// answers with first: VP9 profile 0, H.264 packetization-mode 1 with
// constrained baseline first (webrtc_sdp.c picks the same).
function codecPreferences(name) {
  const mime = 'video/' + name.toLowerCase();
  let codecs = RTCRtpSender.getCapabilities('video').codecs.filter(
      (c) => c.mimeType.toLowerCase() === mime);
  const fmtp = (c) => c.sdpFmtpLine || '';
  if (name === 'VP9')
    codecs = codecs.filter((c) => !/profile-id=[1-9]/.test(fmtp(c)));
  if (name === 'H264') {
    codecs = codecs.filter((c) => /packetization-mode=1/.test(fmtp(c)));
    codecs.sort((a, b) => /42e01f/.test(fmtp(b)) - /42e01f/.test(fmtp(a)));
  }
  if (!codecs.length)
    throw new Error('this browser cannot send ' + name);
  return codecs;
}

async function outboundStats(pc) {
  const out = [];
  const stats = await pc.getStats();
  stats.forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated)
      out.transport = {availableOutgoingBitrate: s.availableOutgoingBitrate,
                       currentRoundTripTime: s.currentRoundTripTime};
    if (s.type !== 'outbound-rtp' || s.kind !== 'video')
      return;
    const codec = s.codecId ? stats.get(s.codecId) : null;
    out.push({
      ssrc: s.ssrc, rid: s.rid, mimeType: codec ? codec.mimeType : undefined,
      scalabilityMode: s.scalabilityMode, encoderImplementation: s.encoderImplementation,
      frameWidth: s.frameWidth, frameHeight: s.frameHeight,
      framesPerSecond: s.framesPerSecond, framesEncoded: s.framesEncoded,
      framesSent: s.framesSent, keyFramesEncoded: s.keyFramesEncoded,
      packetsSent: s.packetsSent, bytesSent: s.bytesSent,
      targetBitrate: s.targetBitrate, qualityLimitationReason: s.qualityLimitationReason,
      pliCount: s.pliCount, firCount: s.firCount, nackCount: s.nackCount,
      totalPacketSendDelay: s.totalPacketSendDelay,
      active: s.active,
    });
  });
  out.sort((a, b) => (a.rid || '').localeCompare(b.rid || '') || a.ssrc - b.ssrc);
  return out;
}

async function post(path, body) {
  const r = await fetch(path, {method: 'POST', body});
  if (!r.ok)
    throw new Error(path + ': ' + r.status + ' ' + await r.text());
  return r.text();
}

async function main() {
  const cfg = await (await fetch('/config')).json();
  log('config', JSON.stringify(cfg));

  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: {width: {exact: cfg.width}, height: {exact: cfg.height},
            frameRate: {ideal: cfg.fps}},
  });
  const track = stream.getVideoTracks()[0];
  log('camera', JSON.stringify(track.getSettings()));
  if (track.getSettings().width !== cfg.width || track.getSettings().height !== cfg.height)
    throw new Error('the camera does not give ' + cfg.width + 'x' + cfg.height);

  const pc = new RTCPeerConnection({bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require'});
  pc.oniceconnectionstatechange = () => log('ice', pc.iceConnectionState);
  pc.onconnectionstatechange = () => log('connection', pc.connectionState);

  const encodings = cfg.rids.length ?
      cfg.rids.map((rid, i) => ({rid, scaleResolutionDownBy: cfg.scaleDownBy[i],
                                 scalabilityMode: cfg.mode,
                                 maxBitrate: cfg.maxKbps[i] * 1000 || undefined})) :
      [{scalabilityMode: cfg.mode, maxBitrate: cfg.maxKbps[0] * 1000 || undefined}];
  const transceiver = pc.addTransceiver(track, {direction: 'sendonly', streams: [stream],
                                                sendEncodings: encodings});
  transceiver.setCodecPreferences(codecPreferences(cfg.codec));

  // Resolution is what the capture is about: never let CPU or quality
  // adaptation scale it down.
  const params = transceiver.sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  try {
    await transceiver.sender.setParameters(params);
  } catch (e) {
    log('degradationPreference not set:', e.toString());
    track.contentHint = 'detail';
  }

  await pc.setLocalDescription(await pc.createOffer());
  const answer = await post('/offer', pc.localDescription.sdp);
  await pc.setRemoteDescription({type: 'answer', sdp: answer});
  log('encodings', JSON.stringify(transceiver.sender.getParameters().encodings));

  for (let i = 0; i < 300 && pc.connectionState !== 'connected'; i++) {
    if (pc.connectionState === 'failed')
      throw new Error('connection failed');
    await sleep(100);
  }
  if (pc.connectionState !== 'connected')
    throw new Error('not connected after 30 s');

  // Until the tool says the capture is done (warm-up, capture, last frames).
  for (let s = 1; ; s++) {
    await sleep(1000);
    const now = await outboundStats(pc);
    log('t=' + s, JSON.stringify(now.transport), JSON.stringify(now.map((o) => [
      o.rid || o.ssrc, o.scalabilityMode, o.frameWidth + 'x' + o.frameHeight,
      o.framesPerSecond, o.bytesSent, o.keyFramesEncoded, o.qualityLimitationReason,
      Math.round(1000 * o.totalPacketSendDelay / o.packetsSent) + ' ms pacing'])));
    if ((await (await fetch('/status')).json()).done)
      break;
    if (s > 120)
      throw new Error('the tool did not finish in 120 s');
  }
  const outbound = await outboundStats(pc);
  const report = {userAgent: navigator.userAgent, camera: track.getSettings(),
                  transport: outbound.transport, outbound};
  await post('/report', JSON.stringify(report));
  log('done');
}

main().catch((e) => {
  log('error', e.toString());
  fetch('/report', {method: 'POST', body: JSON.stringify({error: e.toString()})});
});

/** WebRTC for Node: @roamhq/wrtc (the maintained fork of wrtc, with its binary inside npm packages). */
import wrtc from '@roamhq/wrtc';

/** The wrtc implementation handed to simple-peer in Node. */
export const nodeWebRtc: object = wrtc as unknown as object;

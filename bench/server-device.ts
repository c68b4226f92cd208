/**
 * A benchmark device of a server: one connection (client/core/host-connection.ts) made from the server's
 * link, on which the device opens the session list and any sessions as channels — as a device holds one
 * connection per host however many sessions it looks at.
 */
import { HostConnection } from '../client/core/host-connection.js';
import { MemoryCredentialStore } from '../client/core/credential-store.js';
import { parseSessionUrl } from '../protocol/session-url.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { NodeDevice } from './node-device.js';
import { ConversationDevice } from './conversation-device.js';
import { ListDevice } from './list-device.js';

/** One device's connection to a server. */
export class ServerDevice {
  readonly connection: HostConnection;
  /** The sessions this device opened on its connection (the list included). */
  readonly sessions: Array<NodeDevice | ConversationDevice | ListDevice> = [];
  private readonly listId: string;

  constructor(serverUrl: string, readonly name: string) {
    const link = parseSessionUrl(serverUrl);
    this.listId = link.sessionId;
    this.connection = new HostConnection({
      origin: link.origin,
      entrySessionId: link.sessionId,
      token: link.token,
      credentials: new MemoryCredentialStore(),
      deviceName: name,
      deviceKind: 'terminal',
      wrtc: nodeWebRtc,
    });
  }

  /** Starts connecting. */
  start(): this {
    this.connection.start();
    return this;
  }

  /** Opens the session list on this connection. */
  openList(): ListDevice {
    return this.add(new ListDevice({ connection: this.connection, sessionId: this.listId }).start());
  }

  /** Opens a terminal session on this connection. */
  openTerminal(sessionId: string): NodeDevice {
    return this.add(new NodeDevice({ connection: this.connection, sessionId }, this.name).start());
  }

  /** Opens a conversation session on this connection. */
  openConversation(sessionId: string): ConversationDevice {
    return this.add(new ConversationDevice({ connection: this.connection, sessionId }, this.name).start());
  }

  /** Closes every session and then the connection (the host is told the device left). */
  close(): void {
    for (const s of this.sessions.splice(0)) s.close();
    this.connection.close();
  }

  private add<T extends NodeDevice | ConversationDevice | ListDevice>(session: T): T {
    this.sessions.push(session);
    return session;
  }
}

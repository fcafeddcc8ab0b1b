// A fediverse server that is not carnet, for carnet's tests: one account, `pia`, on a server
// built with Fedify (npm @fedify/fedify), which signs what it sends and verifies what it
// receives with its own code, not carnet's. It listens on a free loopback port, over plain
// http as carnet's test servers do (Fedify is told private addresses are allowed, as carnet
// is with --allow-loopback-fetch).
//
//   const peer = await startPeer(t);
//   await peer.follow(carnetActorUrl);
//   await waitFor(() => peer.received.find((activity) => activity.type === "Accept"));
//
// `received` holds what Fedify's inbox listeners were given: activities that passed Fedify's
// HTTP Signature verification and JSON-LD parsing, each as { type, actor, id, object }, with
// the object as JSON-LD compacted by Fedify. `inboxRequests` holds every POST to an inbox with
// the status Fedify answered, and its body and headers, to replay one.

import { createServer } from "node:http";

import {
    Accept,
    Create,
    Delete,
    Endpoints,
    Follow,
    Note,
    Person,
    PUBLIC_COLLECTION,
    Reject,
    Update,
    createFederation,
    generateCryptoKeyPair,
    MemoryKvStore,
    signRequest,
} from "@fedify/fedify";

import { onCleanup } from "../browser/support.mjs";

export const peerName = "Pia Peer";
const identifier = "pia";

// Node's request to the Fetch API's, and Fetch's response back to Node's.
async function toFetchRequest(request, origin) {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
        for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return new Request(new URL(request.url, origin), {
        method: request.method,
        headers,
        body: hasBody ? Buffer.concat(chunks) : undefined,
    });
}

async function sendFetchResponse(response, answer) {
    const body = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(body);
}

// Starts the peer; it stops when test `t` ends.
export async function startPeer(t) {
    const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const federation = createFederation({
        kv: new MemoryKvStore(),
        allowPrivateAddress: true,
    });
    const received = [];
    const inboxRequests = [];
    // identifier → { name, url }: pia, and the accounts a test adds.
    const accounts = new Map([[identifier, { name: peerName, url: null }]]);

    federation
        .setActorDispatcher("/users/{identifier}", async (ctx, name) => {
            const account = accounts.get(name);
            if (!account) return null;
            const [pair] = await ctx.getActorKeyPairs(name);
            return new Person({
                id: ctx.getActorUri(name),
                preferredUsername: name,
                name: account.name,
                url: account.url ?? new URL(`/@${name}`, ctx.origin),
                inbox: ctx.getInboxUri(name),
                endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
                publicKey: pair.cryptographicKey,
            });
        })
        .setKeyPairsDispatcher(async (_ctx, name) => (accounts.has(name) ? [keys] : []));

    const record = async (ctx, activity) => {
        const object = await activity.getObject({ documentLoader: ctx.documentLoader }).catch(() => null);
        received.push({
            type: activity.constructor.name,
            id: activity.id?.href,
            actor: activity.actorId?.href,
            object: object ? await object.toJsonLd({ contextLoader: ctx.contextLoader }) : null,
            objectId: activity.objectId?.href,
        });
    };
    federation
        .setInboxListeners("/users/{identifier}/inbox", "/inbox")
        .on(Accept, record)
        .on(Reject, record)
        .on(Create, record)
        .on(Update, record)
        .on(Delete, record);

    let origin = "";
    const server = createServer(async (request, response) => {
        try {
            const fetchRequest = await toFetchRequest(request, origin);
            const copy = fetchRequest.method === "POST" ? fetchRequest.clone() : null;
            const answer = await federation.fetch(fetchRequest, {
                contextData: undefined,
                onNotFound: () => new Response("not found", { status: 404 }),
                onNotAcceptable: () => new Response("not acceptable", { status: 406 }),
            });
            if (copy) {
                inboxRequests.push({
                    path: new URL(copy.url).pathname,
                    status: answer.status,
                    headers: Object.fromEntries(copy.headers),
                    body: await copy.text(),
                });
            }
            await sendFetchResponse(response, answer);
        } catch (error) {
            response.writeHead(500, { "content-type": "text/plain" });
            response.end(String(error?.stack ?? error));
        }
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
    onCleanup(t, () => new Promise((resolve) => server.close(resolve)));
    server.unref();

    const context = () => federation.createContext(new URL(origin), undefined);
    const actorUri = (name = identifier) => context().getActorUri(name);
    const sender = { identifier };
    // carnet's actor as a recipient: its id and the inbox its document names.
    const recipients = new Map();
    const recipientOf = async (actorUrl) => {
        if (recipients.has(actorUrl)) return recipients.get(actorUrl);
        const actor = await context().lookupObject(actorUrl);
        if (!actor?.inboxId) throw new Error(`no actor with an inbox at ${actorUrl}`);
        recipients.set(actorUrl, actor);
        return actor;
    };
    let sequence = 0;
    const nextId = (kind, name = identifier) => new URL(`/users/${name}/${kind}/${++sequence}`, origin);

    return {
        origin,
        received,
        inboxRequests,
        actor: () => actorUri().href,
        // Another account on the peer, `name` shown as its name and `url` (a URL) as its
        // profile's address; its actor's address.
        addAccount(name, { displayName, url = null }) {
            accounts.set(name, { name: displayName, url });
            return actorUri(name).href;
        },
        // Follows the actor at `actorUrl` (a signed Follow to its inbox).
        async follow(actorUrl) {
            const recipient = await recipientOf(actorUrl);
            const follow = new Follow({ id: nextId("follows"), actor: actorUri(), object: recipient.id });
            await context().sendActivity(sender, recipient, follow, { immediate: true });
            return follow.id.href;
        },
        // A public Note answering `inReplyTo`, sent signed to the actor at `actorUrl` by
        // account `as`; its id.
        async reply(actorUrl, inReplyTo, html, { as = identifier } = {}) {
            const recipient = await recipientOf(actorUrl);
            const note = new Note({
                id: nextId("notes", as),
                attribution: actorUri(as),
                content: html,
                replyTarget: new URL(inReplyTo),
                to: PUBLIC_COLLECTION,
                cc: recipient.id,
            });
            const create = new Create({
                id: new URL(`${note.id.href}/activity`),
                actor: actorUri(as),
                object: note,
                to: PUBLIC_COLLECTION,
                cc: recipient.id,
            });
            await context().sendActivity({ identifier: as }, recipient, create, { immediate: true });
            return note.id.href;
        },
        // The same reply, but signed with a key that is not the account's, under the account's
        // key id, as a forger would: POSTed to the actor's inbox; resolves to the answer.
        async forgedReply(actorUrl, inReplyTo, html) {
            const recipient = await recipientOf(actorUrl);
            const note = new Note({
                id: nextId("notes"),
                attribution: actorUri(),
                content: html,
                replyTarget: new URL(inReplyTo),
                to: PUBLIC_COLLECTION,
            });
            const create = new Create({
                id: new URL(`${note.id.href}/activity`),
                actor: actorUri(),
                object: note,
                to: PUBLIC_COLLECTION,
            });
            const body = JSON.stringify(await create.toJsonLd({ contextLoader: context().contextLoader }));
            const unsigned = new Request(recipient.inboxId, {
                method: "POST",
                headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
                body,
            });
            const forger = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
            const [pair] = await context().getActorKeyPairs(identifier);
            const signed = await signRequest(unsigned, forger.privateKey, pair.keyId);
            const answer = await fetch(signed);
            return { status: answer.status, text: await answer.text(), noteId: note.id.href };
        },
    };
}

package dev.keyway.console;

import dev.keyway.codec.JsonCodec;
import dev.keyway.codec.MalformedMessageException;
import dev.keyway.message.Command;

/**
 * The command a control's request asks for: the command's own JSON, as on the commands topic (parsed and checked by
 * the codec, like any command), limited to what the page's controls send, with {@code requestedBy} set by the
 * console: the basic-auth user, else the operator name the page sent, and {@code " via console@HOST"}.
 */
final class CommandRequests {

    /** The longest operator name the page may send: with the suffix it stays within {@link Command#MAX_REQUESTED_BY}. */
    static final int MAX_OPERATOR = 100;

    /** A request the console refuses, with the reason the client is told (HTTP 400). */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private final JsonCodec codec;
    private final String host;

    CommandRequests(JsonCodec codec, String host) {
        this.codec = codec;
        this.host = host;
    }

    /**
     * @param user the basic-auth user, or {@code ""} when none
     * @throws BadRequest naming what is wrong
     */
    Command parse(byte[] body, String user) {
        Command c;
        try {
            c = codec.decodeCommand(body);
        } catch (MalformedMessageException | IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
        String who = user.isEmpty() ? c.requestedBy() : user;
        if (who == null || who.isBlank()) {
            throw new BadRequest("say who you are: type your name in the page's operator field (requestedBy)");
        }
        if (who.length() > MAX_OPERATOR) {
            throw new BadRequest("the operator name must be at most " + MAX_OPERATOR + " characters, but was "
                    + who.length());
        }
        String by = who.strip() + " via console@" + host;
        if (c instanceof Command.Run r) {
            return r.withRequestedBy(by);
        } else if (c instanceof Command.Pause p) {
            return new Command.Pause(p.fn(), by);
        } else if (c instanceof Command.Resume r) {
            return new Command.Resume(r.fn(), by);
        } else if (c instanceof Command.Cancel x) {
            return new Command.Cancel(x.fn(), by);
        } else if (c instanceof Command.Configure x) {
            return new Command.Configure(x.fn(), x.batchSize(), x.maxRowsPerSecond(), x.targetBatchMillis(),
                    x.maxConcurrency(), by);
        }
        throw new BadRequest("the console sends run, pause, resume, cancel and configure, not '" + c.type() + "'");
    }
}

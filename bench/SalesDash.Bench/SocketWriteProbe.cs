using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace SalesDash.Bench;

/// <summary>
/// Kestrel connection middleware that notes when a large write (a tile push: ~9.5 KB, where a webhook's answer is a few
/// hundred bytes) is flushed into the server's socket transport, so the relay's "write to received" splits into the
/// server's side (SignalR's transport loop woken and its WebSocket frame written) and the rest (Kestrel's send, the
/// socket, the client's receive loop, parse and dispatch). Bench only: one lock and one list entry a large flush.
/// </summary>
public sealed class SocketWriteProbe
{
    private readonly List<DateTimeOffset> _flushes = [];

    /// <summary>Flushes at least this large are noted.</summary>
    public int MinBytes { get; init; } = 4096;

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new NotingPipe(transport, this);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    /// <summary>The first large flush at or after <paramref name="from"/> and not after <paramref name="to"/>.</summary>
    public DateTimeOffset? FirstFlushBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_flushes)
        {
            var i = _flushes.BinarySearch(from);
            i = i < 0 ? ~i : i;
            return i < _flushes.Count && _flushes[i] <= to ? _flushes[i] : null;
        }
    }

    private void Flushed(long bytes)
    {
        if (bytes >= MinBytes)
        {
            var now = DateTimeOffset.UtcNow;
            lock (_flushes)
            {
                // Flushes of different connections may note out of order by a tick; kept sorted for the search.
                var i = _flushes.Count;
                while (i > 0 && _flushes[i - 1] > now)
                {
                    i--;
                }

                _flushes.Insert(i, now);
            }
        }
    }

    private sealed class NotingPipe(IDuplexPipe inner, SocketWriteProbe probe) : IDuplexPipe
    {
        public PipeReader Input { get; } = inner.Input;

        public PipeWriter Output { get; } = new NotingWriter(inner.Output, probe);
    }

    private sealed class NotingWriter(PipeWriter inner, SocketWriteProbe probe) : PipeWriter
    {
        private long _unflushed;

        public override void Advance(int bytes)
        {
            _unflushed += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            probe.Flushed(_unflushed);
            _unflushed = 0;
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}

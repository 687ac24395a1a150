using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Hubs;

namespace SalesDash.Bench;

/// <summary>One tile write by the relay: which tiles, when the relay started the write, how long the call took and whether it completed at once.</summary>
public readonly record struct RelayWrite(DateTimeOffset AsOf, long EventsApplied, DateTimeOffset StartedAtUtc, double CallMs, bool CompletedAtOnce);

/// <summary>
/// The app's own lifetime manager with a note of every tile write the relay makes: it splits "tiles computed to received"
/// into the part before the relay's write (the pub-sub hops, the relay's mailbox, a screen's rest), the write call itself
/// (the message's one serialisation and the copy into the connection's pipe) and the part after it (SignalR's transport,
/// the socket, the client's read loop, parse and dispatch). Bench only: one lock and one list entry a write.
/// </summary>
public sealed class RelayProbe(ILogger<DefaultHubLifetimeManager<DashboardHub>> logger, SocketWriteProbe sockets) : DashboardLifetimeManager(logger)
{
    private readonly List<RelayWrite> _writes = [];
    private DashboardTiles? _last;

    public override ValueTask WriteAsync(string connectionId, SerializedHubMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var started = TimeProvider.System.GetUtcNow();
        var startedTicks = TimeProvider.System.GetTimestamp();
        var write = base.WriteAsync(connectionId, message);
        var callMs = TimeProvider.System.GetElapsedTime(startedTicks).TotalMilliseconds;
        if (message.Message is InvocationMessage { Arguments: [DashboardTiles tiles] })
        {
            lock (_writes)
            {
                _writes.Add(new RelayWrite(tiles.AsOf, tiles.EventsApplied, started, callMs, write.IsCompletedSuccessfully));
                _last = tiles;
            }
        }

        return write;
    }

    public IReadOnlyList<RelayWrite> Writes
    {
        get
        {
            lock (_writes)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>
    /// The split of each push received after <paramref name="before"/> events: computed to write, the write call, write to
    /// received; percentiles of each, then the mean of each part over the pushes in the slowest 1% (what the tail is made
    /// of), and the size of the last tile set written as JSON (what the serialiser writes for every push).
    /// </summary>
    public string Split(IReadOnlyList<TileObservation> pushes, long before, Func<DateTimeOffset, DateTimeOffset, long>? poolQueueMax = null, Func<DateTimeOffset, DateTimeOffset, double>? gcPaused = null)
    {
        DashboardTiles? sample;
        lock (_writes)
        {
            sample = _last;
        }

        var writes = Writes.GroupBy(w => (w.AsOf, w.EventsApplied)).ToDictionary(g => g.Key, g => g.First());
        var parts = new List<(double Total, double ToWrite, double Call, double AfterWrite)>();
        // The part after the write, cut where the frame reached Kestrel's socket transport: the server's SignalR transport
        // loop (woken through the thread pool), then Kestrel's send, the socket and the client.
        var afterParts = new List<(double Total, double ToSocket, double SocketToReceived, long PoolQueueMax, double GcPausedMs)>();
        foreach (var push in pushes.Where(p => p.EventsApplied > before && p.AsOf != default))
        {
            if (writes.TryGetValue((push.AsOf, push.EventsApplied), out var w))
            {
                var toWrite = (w.StartedAtUtc - push.AsOf).TotalMilliseconds;
                var afterWrite = (push.ReceivedAtUtc - w.StartedAtUtc).TotalMilliseconds - w.CallMs;
                parts.Add(((push.ReceivedAtUtc - push.AsOf).TotalMilliseconds, toWrite, w.CallMs, afterWrite));
                if (sockets.FirstFlushBetween(w.StartedAtUtc, push.ReceivedAtUtc) is { } flushed)
                {
                    afterParts.Add(((push.ReceivedAtUtc - push.AsOf).TotalMilliseconds, (flushed - w.StartedAtUtc).TotalMilliseconds - w.CallMs,
                        (push.ReceivedAtUtc - flushed).TotalMilliseconds, poolQueueMax?.Invoke(w.StartedAtUtc, push.ReceivedAtUtc) ?? -1,
                        gcPaused?.Invoke(w.StartedAtUtc, push.ReceivedAtUtc) ?? double.NaN));
                }
            }
        }

        var inv = CultureInfo.InvariantCulture;
        string P(Func<(double Total, double ToWrite, double Call, double AfterWrite), double> part)
        {
            var sorted = parts.Select(part).Order().ToList();
            return string.Create(inv, $"p50 {LatencyReport.Percentile(sorted, 50):0.0} / p99 {LatencyReport.Percentile(sorted, 99):0.0}");
        }

        var tail = parts.OrderByDescending(p => p.Total).Take(Math.Max(1, parts.Count / 100)).ToList();
        string After(Func<(double Total, double ToSocket, double SocketToReceived, long PoolQueueMax, double GcPausedMs), double> part)
        {
            var sorted = afterParts.Select(part).Order().ToList();
            return string.Create(inv, $"p50 {LatencyReport.Percentile(sorted, 50):0.0} / p99 {LatencyReport.Percentile(sorted, 99):0.0}");
        }

        var afterTail = afterParts.OrderByDescending(p => p.Total).Take(Math.Max(1, afterParts.Count / 20)).ToList();
        var afterLine = afterParts.Count == 0 ? "" : string.Create(inv,
            $" After the write, {afterParts.Count} matched to their socket write: to the socket {After(p => p.ToSocket)} ms (SignalR's transport loop), " +
            $"socket to received {After(p => p.SocketToReceived)} ms (Kestrel's send, loopback, the client's receive loop); slowest 5% ({afterTail.Count}): " +
            $"{string.Join(", ", afterTail.Select(p => string.Create(inv, $"{p.Total:0} = {p.ToSocket:0} + {p.SocketToReceived:0} ms after (pool queue max {p.PoolQueueMax}, GC paused {p.GcPausedMs:0} ms)")))}");
        var bytes = sample is null ? 0 : JsonSerializer.SerializeToUtf8Bytes(sample, JsonSerializerOptions.Web).Length;
        return string.Create(inv,
            $"{parts.Count} pushes: tiles computed to relay write {P(p => p.ToWrite)} ms (pub-sub, relay mailbox, rest); " +
            $"write call {P(p => p.Call)} ms (serialise once, into the pipe); write to received {P(p => p.AfterWrite)} ms (transport, socket, client). " +
            $"Slowest 1% ({tail.Count}, from {(tail.Count > 0 ? tail[^1].Total : double.NaN):0} ms): before the write {(tail.Count > 0 ? tail.Average(p => p.ToWrite) : double.NaN):0}, " +
            $"the call {(tail.Count > 0 ? tail.Average(p => p.Call) : double.NaN):0.0}, after it {(tail.Count > 0 ? tail.Average(p => p.AfterWrite) : double.NaN):0} ms on average; " +
            $"{Writes.Count(w => !w.CompletedAtOnce)} of {Writes.Count} writes waited for the connection; a tile set is ~{bytes:N0} bytes of JSON.{afterLine}");
    }
}

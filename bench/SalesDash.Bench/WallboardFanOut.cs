using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Hubs;

namespace SalesDash.Bench;

/// <summary>
/// Issue 15 pt 5: many wallboards on one store, each its own SignalR connection over WebSockets like a TV's browser,
/// while orders arrive at a steady pace. Reports how many connected, pushes per second (all and per connection) and
/// push lag: from the tiles' <see cref="DashboardTiles.AsOf"/> (stamped by the entity when it computed them) to the
/// moment each connection received them. Client and server share this process's clock, so the difference is real.
/// </summary>
internal static class WallboardFanOut
{
    /// <summary>Runs the phase; Ok is false when a board never caught up or a POST failed. AcceptedGross is what the tile should have gained.</summary>
    public static async Task<(bool Ok, long Accepted, decimal AcceptedGross)> RunAsync(Uri baseAddress, BenchOptions options, Func<int, List<ShopifyOrderWebhook>> orders, TimeProvider time,
        List<string> report, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        var boards = new List<Board>(options.Wallboards);
        var connectFailures = 0;
        string? firstFailure = null;
        try
        {
            // Connect in small waves: a TV wall comes up over seconds, and 2,000 handshakes at once would measure the accept queue.
            foreach (var wave in Enumerable.Range(0, options.Wallboards).Chunk(50))
            {
                var connected = await Task.WhenAll(wave.Select(async _ =>
                {
                    try
                    {
                        return await Board.ConnectAsync(baseAddress, options, time, ct);
                    }
                    catch (Exception e) when (e is HttpRequestException or HubException or InvalidOperationException or IOException or TimeoutException
                                                  or System.Net.WebSockets.WebSocketException)
                    {
                        Interlocked.Increment(ref connectFailures);
                        Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                        return null;
                    }
                }));
                boards.AddRange(connected.OfType<Board>());
            }

            report.Add(string.Create(inv,
                $"wallboards          {boards.Count} of {options.Wallboards} connected over WebSockets{(connectFailures > 0 ? $" ({connectFailures} failed, first: {firstFailure})" : "")}; load {MachineFacts.LoadAverage()}"));
            if (boards.Count == 0)
            {
                return (false, 0, 0m);
            }

            var start = boards.Max(b => b.Initial.EventsApplied);
            var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(boards[0].Initial, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)).Length;
            var count = (int)Math.Min(int.MaxValue, (long)options.WallboardRate * (long)options.Duration.TotalSeconds);
            var cpu = CpuShare.Now(time);
            var started = time.GetTimestamp();
            var paced = await PacedWebhookLoad.RunAsync(baseAddress, options.ShopDomain, orders(count), options.WallboardRate, options.MaxInFlight, time, ct);
            var expected = start + paced.Accepted;

            // Every board must end on the tile covering every accepted order: no push may be dropped for good.
            var caughtUp = await Task.WhenAll(boards.Select(b => b.WaitForAsync(expected, options.SettleTimeout, ct)));
            var elapsed = time.GetElapsedTime(started).TotalSeconds;
            var lags = boards.SelectMany(b => b.LagsMs).Order().ToList();
            var perBoard = boards.Select(b => b.Pushes / elapsed).Order().ToList();
            var cpuShare = cpu.Since(time);
            var perPush = cpu.PerItem(time, lags.Count, "push received");
            report.Add(string.Create(inv,
                $"fan-out             {options.WallboardRate}/s orders for {options.Duration.TotalSeconds:0} s ({paced.Accepted} accepted{(paced.NotSent > 0 ? $", {paced.NotSent} not sent" : "")}): " +
                $"{lags.Count / elapsed:0} pushes/s over all boards, per board min {perBoard[0]:0.0}/s, median {LatencyReport.Percentile(perBoard, 50):0.0}/s; " +
                $"a push carries {payload / 1024.0:0.0} KB of tiles (JSON)"));
            report.Add(string.Create(inv,
                $"push lag            p50 {LatencyReport.Percentile(lags, 50):0} ms, p99 {LatencyReport.Percentile(lags, 99):0} ms, max {(lags.Count > 0 ? lags[^1] : double.NaN):0} ms (AsOf to receipt, {lags.Count} pushes); " +
                $"{caughtUp.Count(c => c)} of {boards.Count} boards reached the final tile; load {MachineFacts.LoadAverage()}"));
            // Server and boards share the process: the per-push cost covers both ends of every push (and the paced orders).
            report.Add($"                    {perPush} ({cpuShare}; server, boards and paced orders included)");
            return (caughtUp.All(c => c) && paced.Accepted == paced.Posts.Length, paced.Accepted,
                paced.Posts.Where(p => p.Accepted).Sum(p => p.TotalPrice));
        }
        finally
        {
            await Task.WhenAll(boards.Select(b => b.DisposeAsync().AsTask()));
        }
    }

    private sealed class Board : IAsyncDisposable
    {
        private readonly HubConnection connection;
        private readonly TimeProvider time;
        private readonly List<double> lags = [];
        private long lastEventsApplied;

        private Board(HubConnection connection, TimeProvider time)
        {
            this.connection = connection;
            this.time = time;
            connection.On<PushStamp>(DashboardHub.TilesMethod, Received);
        }

        public DashboardTiles Initial { get; private set; } = null!;

        public int Pushes
        {
            get
            {
                lock (lags)
                {
                    return lags.Count;
                }
            }
        }

        public IReadOnlyList<double> LagsMs
        {
            get
            {
                lock (lags)
                {
                    return [.. lags];
                }
            }
        }

        public static async Task<Board> ConnectAsync(Uri baseAddress, BenchOptions options, TimeProvider time, CancellationToken ct)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(baseAddress, "hubs/dashboard"), HttpTransportType.WebSockets, http =>
                {
                    http.AccessTokenProvider = () => Task.FromResult<string?>(options.ApiKey);
                    http.SkipNegotiation = true;
                })
                .Build();
            var board = new Board(connection, time);
            await connection.StartAsync(ct);
            board.Initial = await connection.InvokeAsync<DashboardTiles>("Subscribe", options.TenantId, options.StoreId, ct);
            Interlocked.Exchange(ref board.lastEventsApplied, board.Initial.EventsApplied);
            return board;
        }

        public async Task<bool> WaitForAsync(long eventsApplied, TimeSpan timeout, CancellationToken ct)
        {
            var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
            while (Interlocked.Read(ref lastEventsApplied) < eventsApplied)
            {
                if (time.GetTimestamp() > deadline)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
            }

            return true;
        }

        private void Received(PushStamp tiles)
        {
            var lag = (time.GetUtcNow() - tiles.AsOf).TotalMilliseconds;
            lock (lags)
            {
                lags.Add(lag);
            }

            long seen;
            do
            {
                seen = Interlocked.Read(ref lastEventsApplied);
            }
            while (tiles.EventsApplied > seen && Interlocked.CompareExchange(ref lastEventsApplied, tiles.EventsApplied, seen) != seen);
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    /// <summary>
    /// What a board needs of a push to time it and to know it caught up. The bench measures the server's fan-out, and
    /// its boards share the server's process and cores: reading the whole <see cref="DashboardTiles"/> (60 minutes per
    /// channel, every figure) would bill a TV's parsing to the server. The JSON reader still walks every byte it skips.
    /// </summary>
    private sealed record PushStamp(DateTimeOffset AsOf, long EventsApplied);
}

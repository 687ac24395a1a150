namespace SalesDash.Bench;

/// <summary>What a paced run sent: each POST, and how well the sender kept to the schedule.</summary>
public sealed record PacedRun(PostResult[] Posts, int NotSent, long FirstSentAt, long LastRespondedAt, TimeSpan BehindScheduleAtEnd, long TimestampFrequency)
{
    /// <summary>When the sender opened each of its connections (timestamps), in order.</summary>
    public IReadOnlyList<long> ConnectionsOpenedAt { get; init; } = [];

    public int Accepted => Posts.Count(p => p.Accepted);

    public TimeSpan Elapsed => TimeSpan.FromSeconds((LastRespondedAt - FirstSentAt) / (double)TimestampFrequency);

    /// <summary>Accepted webhooks per second from the first send to the last answer.</summary>
    public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;
}

/// <summary>
/// An open-loop load: POST i is due at start + i / rate, whether or not earlier ones have been answered, like
/// webhooks arriving from many shops. Only <c>maxInFlight</c> POSTs wait for an answer at once; once that many
/// are outstanding the sender falls behind the schedule, which the run reports instead of hiding, and what is
/// still unsent when the schedule's last POST was due is dropped, so an overload cannot stretch the run.
/// </summary>
public static class PacedWebhookLoad
{
    public static async Task<PacedRun> RunAsync(
        Uri baseAddress, string shopDomain, IReadOnlyList<ShopifyOrderWebhook> webhooks, int rate, int maxInFlight, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhooks);
        ArgumentNullException.ThrowIfNull(time);
        var results = new PostResult[webhooks.Count];
        long started = 0;
        long failed = 0;
        using var slots = new SemaphoreSlim(maxInFlight);
        var opened = new List<long>();
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxInFlight,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // Noted, because each new connection is an accept and a connection start on the server's pool, in a burst when POSTs back up.
            ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                lock (opened)
                {
                    opened.Add(time.GetTimestamp());
                }

                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

        async Task PostAsync(int index)
        {
            try
            {
                var webhook = webhooks[index];
                using var request = webhook.ToRequest(shopDomain);
                Interlocked.Increment(ref started);
                var sentAt = time.GetTimestamp();
                int status;
                try
                {
                    using var response = await http.SendAsync(request, cancellationToken);
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    status = 0; // client timeout
                }

                var respondedAt = time.GetTimestamp();
                if (status != 200)
                {
                    Interlocked.Increment(ref failed);
                }

                // Same bound as WebhookLoad: the event sits in its store's partition behind only events sent before this answer.
                results[index] = new PostResult(sentAt, respondedAt, status, Interlocked.Read(ref started) - Interlocked.Read(ref failed), webhook.TotalPrice, time.GetUtcNow());
            }
            finally
            {
                slots.Release();
            }
        }

        var inFlight = new List<Task>(webhooks.Count);
        var start = time.GetTimestamp();
        var ticksPerPost = time.TimestampFrequency / (double)rate;
        var lastDue = start + (long)((webhooks.Count - 1) * ticksPerPost);
        var sent = 0;
        for (var i = 0; i < webhooks.Count; i++)
        {
            var due = start + (long)(i * ticksPerPost);
            if (i > 0 && time.GetTimestamp() > lastDue + ticksPerPost)
            {
                break;
            }

            var wait = time.GetElapsedTime(time.GetTimestamp(), due);
            // Task.Delay is only millisecond-precise, so POSTs due within the next millisecond go out now, as a burst.
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            await slots.WaitAsync(cancellationToken);
            var index = i;
            // Off the pacing loop: building and signing off-loop keeps the schedule when many POSTs are due at once.
            inFlight.Add(Task.Run(() => PostAsync(index), cancellationToken));
            sent++;
        }

        // How late the last POST sent was against its own due time.
        var behind = time.GetElapsedTime(start + (long)((sent - 1) * ticksPerPost), time.GetTimestamp());
        await Task.WhenAll(inFlight);
        var posts = results[..sent];
        var firstSent = posts.Min(r => r.SentAt);
        var lastAnswer = posts.Max(r => r.RespondedAt);
        lock (opened)
        {
            return new PacedRun(posts, webhooks.Count - sent, firstSent, lastAnswer, behind < TimeSpan.Zero ? TimeSpan.Zero : behind, time.TimestampFrequency)
            {
                ConnectionsOpenedAt = [.. opened],
            };
        }
    }
}

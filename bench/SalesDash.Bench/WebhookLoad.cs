namespace SalesDash.Bench;

/// <summary>
/// One POST of the measured run. <see cref="SentBeforeResponse"/> is how many measured events could have been
/// applied before this one's 200 arrived (POSTs started by then, less those already known to have failed):
/// the embedded ingest answers only once the event is applied, so a tile covering that many events covers this one.
/// <see cref="AnsweredAtUtc"/> is the wall clock at the answer, for the second bound (a tile computed after it).
/// </summary>
public readonly record struct PostResult(long SentAt, long RespondedAt, int Status, long SentBeforeResponse, decimal TotalPrice, DateTimeOffset AnsweredAtUtc = default)
{
    public bool Accepted => Status == 200;
}

/// <summary>Posts webhooks from C concurrent HttpClients, each taking the next order until all are sent.</summary>
public static class WebhookLoad
{
    public static async Task<PostResult[]> RunAsync(
        Uri baseAddress, string shopDomain, IReadOnlyList<ShopifyOrderWebhook> webhooks, int concurrency, TimeProvider time, CancellationToken cancellationToken)
    {
        var results = new PostResult[webhooks.Count];
        var next = -1;
        long started = 0;
        long failed = 0;

        async Task WorkerAsync()
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
            int index;
            while ((index = Interlocked.Increment(ref next)) < webhooks.Count)
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

                results[index] = new PostResult(sentAt, respondedAt, status, Interlocked.Read(ref started) - Interlocked.Read(ref failed), webhook.TotalPrice, time.GetUtcNow());
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync, cancellationToken)));
        return results;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Connectors.Shopify;
using SalesDash.Connectors.Shopify.Replay;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Demo;

/// <summary>
/// Runs the demo tenant: creates its Shopify store, then replays the real retail data set as signed webhooks
/// over HTTP to this very server — the same door a real shop uses. Past deliveries (today so far, then last week)
/// go out at once; the rest of today goes out at its time. A restart posts the past again, which the engine's
/// dedupe absorbs, so the figures are the same before and after.
/// </summary>
internal sealed class DemoReplayService(
    IOptions<DemoOptions> options,
    IOptions<EngineOptions> engineOptions,
    IStoreDirectory stores,
    IServer server,
    IHostApplicationLifetime lifetime,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<DemoReplayService> logger) : BackgroundService
{
    internal const string HttpClientName = "demo-replay";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value;
        var store = await EnsureStoreAsync(demo, stoppingToken);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);

        var datasetPath = string.IsNullOrWhiteSpace(demo.DatasetPath)
            ? Path.Combine(AppContext.BaseDirectory, "Demo", "Data", "online-retail-sample-30k.csv.gz")
            : demo.DatasetPath;
        var dataset = await OnlineRetailCsv.ReadFileAsync(datasetPath, stoppingToken);
        if (dataset.Errors.Count > 0)
        {
            logger.LogWarning("Demo data set {Path}: {Count} rows skipped, first at line {Line}: {Message}",
                datasetPath, dataset.Errors.Count, dataset.Errors[0].LineNumber, dataset.Errors[0].Message);
        }

        var plan = new ShopifyReplayPlan(dataset.Lines);
        var hourShift = await LoadOrChooseHourShiftAsync(zone, stoppingToken);
        var replayOptions = ShopifyReplayOptions.For(store, hourShift);

        await WaitForServerAsync(stoppingToken);
        var baseUri = new Uri(string.IsNullOrWhiteSpace(demo.BaseUrl) ? OwnAddress() : demo.BaseUrl);
        var client = httpClients.CreateClient(HttpClientName);
        client.BaseAddress = baseUri;
        logger.LogInformation("Demo replay: {Rows} data rows, hour shift {Shift} h, posting to {Url}webhooks/shopify",
            dataset.Lines.Count, hourShift, baseUri);

        var today = LocalDate(time.GetUtcNow(), zone);

        // Today first so the dashboard has figures within seconds, then the same day last week for the comparison.
        var backfillDays = new List<DateOnly> { today };
        if (demo.HistoryDays >= 7)
        {
            backfillDays.Add(today.AddDays(-7));
        }

        backfillDays.AddRange(Enumerable.Range(1, demo.HistoryDays).Select(d => today.AddDays(-d)).Where(d => !backfillDays.Contains(d)));

        foreach (var day in backfillDays)
        {
            var due = plan.Build(day, replayOptions).Webhooks.Where(w => w.DueAt <= time.GetUtcNow()).ToList();
            var started = time.GetTimestamp();
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = demo.BackfillConcurrency, CancellationToken = stoppingToken },
                async (webhook, ct) => await PostAsync(client, store, webhook, ct));
            logger.LogInformation("Demo replay: {Day} backfilled, {Count} webhooks in {Elapsed:0.0}s",
                day, due.Count, time.GetElapsedTime(started).TotalSeconds);
        }

        // Live: the rest of today at its own pace, then each following day.
        for (var day = today; !stoppingToken.IsCancellationRequested; day = day.AddDays(1))
        {
            foreach (var webhook in plan.Build(day, replayOptions).Webhooks.Where(w => w.DueAt > time.GetUtcNow()))
            {
                var wait = webhook.DueAt - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }

                await PostAsync(client, store, webhook, stoppingToken);
            }
        }
    }

    private async Task<StoreProfile> EnsureStoreAsync(DemoOptions demo, CancellationToken cancellationToken)
    {
        var reference = new StoreRef(demo.TenantId, demo.StoreId);

        // Keep the secret of an earlier run: webhooks signed before a restart must still verify after it.
        var existing = await stores.GetAsync(reference, cancellationToken);
        var secret = existing?.WebhookSecret ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var profile = new StoreProfile(reference, demo.StoreName, SalesChannel.Shopify, demo.ShopDomain.ToLowerInvariant(),
            demo.Currency, demo.TimeZone, secret);
        await stores.UpsertAsync(profile, cancellationToken);
        return profile;
    }

    /// <summary>The shift is chosen once and remembered, so a restart replays the same timeline and dedupe holds.</summary>
    private async Task<int> LoadOrChooseHourShiftAsync(TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var statePath = Path.Combine(engineOptions.Value.DataDirectory, "demo-replay.json");
        if (File.Exists(statePath))
        {
            await using var read = File.OpenRead(statePath);
            var state = await JsonSerializer.DeserializeAsync<DemoState>(read, cancellationToken: cancellationToken);
            if (state is not null)
            {
                return state.HourShift;
            }
        }

        var shift = ShopifyReplayPlan.AutoHourShift(time.GetUtcNow(), zone);
        Directory.CreateDirectory(engineOptions.Value.DataDirectory);
        await using var write = File.Create(statePath);
        await JsonSerializer.SerializeAsync(write, new DemoState(shift), cancellationToken: cancellationToken);
        return shift;
    }

    private async Task PostAsync(HttpClient client, StoreProfile store, ReplayWebhook webhook, CancellationToken cancellationToken)
    {
        // A webhook sender retries until it is acknowledged; so does the demo, with a growing pause.
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/shopify")
            {
                Content = new ByteArrayContent(webhook.Body),
            };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add(ShopifyHeaders.Topic, webhook.Topic);
            request.Headers.Add(ShopifyHeaders.ShopDomain, webhook.ShopDomain);
            request.Headers.Add(ShopifyHeaders.WebhookId, webhook.WebhookId);
            request.Headers.Add(ShopifyHeaders.HmacSha256, ShopifyWebhookSignature.Compute(webhook.Body, store.WebhookSecret));
            request.Headers.Add(ShopifyHeaders.TriggeredAt, webhook.DueAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if ((int)response.StatusCode is >= 400 and < 500)
                {
                    // The server refused this delivery for good; retrying the same bytes cannot help.
                    logger.LogError("Demo replay: webhook {Id} refused with {Status}: {Body}", webhook.WebhookId,
                        (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
                    return;
                }
            }
            catch (HttpRequestException e) when (attempt < 10)
            {
                logger.LogDebug(e, "Demo replay: webhook {Id} attempt {Attempt} failed", webhook.WebhookId, attempt);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Min(attempt, 25)), time, cancellationToken);
        }
    }

    private async Task WaitForServerAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellationToken);
    }

    private string OwnAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address to post the demo webhooks to; set Demo:BaseUrl.");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "localhost";
        }

        uri.Path = "/";
        return uri.Uri.ToString();
    }

    private static DateOnly LocalDate(DateTimeOffset utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, zone).DateTime);

    private sealed record DemoState(int HourShift);
}

/// <summary>Registration of the demo tenant.</summary>
internal static class DemoHosting
{
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(DemoReplayService.HttpClientName);
        if (configuration.GetValue<bool>($"{DemoOptions.Section}:{nameof(DemoOptions.Enabled)}"))
        {
            services.AddHostedService<DemoReplayService>();
        }

        return services;
    }
}

using System.Globalization;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace SalesDash.Connectors.Polling;

/// <summary>How a channel's answer should be treated.</summary>
public enum ResponseKind
{
    Success,

    /// <summary>Rate limited: wait (as long as the channel says, when it says) and ask again.</summary>
    Throttled,

    /// <summary>The token was refused: renew it once, else the credentials need a person.</summary>
    Unauthorized,

    /// <summary>A passing server fault (5xx): ask again after a backoff.</summary>
    Transient,

    /// <summary>Anything else; asking again would get the same answer.</summary>
    Failed,
}

/// <summary>A classified answer; <see cref="RetryAfter"/> is the channel's own wait when it gave one.</summary>
public readonly record struct ResponseClass(ResponseKind Kind, TimeSpan? RetryAfter = null);

/// <summary>Retry and backoff settings for one channel's API.</summary>
public sealed class ChannelHttpOptions
{
    /// <summary>Retries after the first attempt for throttled or failing requests.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First backoff when the channel gives no Retry-After; doubles (with jitter) per retry.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait spent inside one poll; a longer Retry-After ends the poll and reschedules it instead.</summary>
    public TimeSpan MaxInlineWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Reads a response the default status-code rules would misjudge (Facebook signals throttling with HTTP 400).</summary>
    public Func<HttpResponseMessage, CancellationToken, ValueTask<ResponseClass>>? Classify { get; init; }
}

/// <summary>
/// Sends a channel's API requests with the behaviour every poller needs: Polly retries for 429 and 5xx honouring
/// Retry-After (seconds or HTTP date), exponential backoff with jitter when the channel gives no wait, one token renewal
/// on 401/403, and errors turned into <see cref="ChannelAuthException"/>, <see cref="ChannelRateLimitedException"/> or
/// <see cref="ChannelResponseException"/> so the sync status can say what went wrong.
/// </summary>
public sealed class ChannelHttp
{
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly ChannelHttpOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public ChannelHttp(HttpClient client, TimeProvider time, ChannelHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
        _options = options ?? new ChannelHttpOptions();
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxInlineWait,
                ShouldHandle = async args => args.Outcome switch
                {
                    { Exception: HttpRequestException } => true,
                    { Exception: TaskCanceledException } => !args.Context.CancellationToken.IsCancellationRequested,
                    { Result: { } response } => await ShouldRetryAsync(response, args.Context.CancellationToken),
                    _ => false,
                },
                DelayGenerator = async args => args.Outcome.Result is { } response
                    ? (await ClassifyAsync(response, args.Context.CancellationToken)).RetryAfter
                    : null,
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// Sends the request <paramref name="build"/> makes for a token (called again for every attempt, as a request
    /// cannot be sent twice) and returns the successful response; every failure is thrown as a channel exception.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<string?, HttpRequestMessage> build, IAccessTokenSource? tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var renewed = false;
        var token = tokens is null ? null : await tokens.GetAsync(refresh: false, cancellationToken);
        while (true)
        {
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.ExecuteAsync(
                    async (state, ct) => await _client.SendAsync(state.build(state.token), HttpCompletionOption.ResponseContentRead, ct),
                    (build, token),
                    cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new ChannelResponseException($"The channel could not be reached after {_options.MaxRetries + 1} attempts: {e.Message}");
            }

            var verdict = await ClassifyAsync(response, cancellationToken);
            switch (verdict.Kind)
            {
                case ResponseKind.Success:
                    return response;
                case ResponseKind.Unauthorized when tokens is { CanRefresh: true } && !renewed:
                    response.Dispose();
                    renewed = true;
                    token = await tokens.GetAsync(refresh: true, cancellationToken);
                    continue;
            }

            using (response)
            {
                var detail = $"HTTP {(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)}: {Excerpt(await response.Content.ReadAsStringAsync(cancellationToken))}";
                throw verdict.Kind switch
                {
                    ResponseKind.Unauthorized => new ChannelAuthException($"The channel refused the credentials ({detail}); reconnect the channel."),
                    ResponseKind.Throttled => new ChannelRateLimitedException(
                        _time.GetUtcNow() + (verdict.RetryAfter ?? _options.MaxInlineWait),
                        $"Rate limited by the channel ({detail})."),
                    _ => new ChannelResponseException(detail, (int)response.StatusCode),
                };
            }
        }
    }

    /// <summary>Sends and parses the JSON body; a body that is not JSON is a <see cref="ChannelResponseException"/>.</summary>
    public async Task<JsonDocument> GetJsonAsync(Func<string?, HttpRequestMessage> build, IAccessTokenSource? tokens, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(build, tokens, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new ChannelResponseException($"Expected a JSON object from {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)}.");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new ChannelResponseException($"The answer from {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)} is not JSON: {e.Message}");
        }
    }

    /// <summary>The default reading: 2xx success, 429 throttled, 401/403 unauthorized, 5xx transient (503 may carry Retry-After).</summary>
    public static ResponseClass ClassifyByStatus(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return (int)response.StatusCode switch
        {
            >= 200 and < 300 => new ResponseClass(ResponseKind.Success),
            429 => new ResponseClass(ResponseKind.Throttled, RetryAfter(response, now)),
            401 or 403 => new ResponseClass(ResponseKind.Unauthorized),
            408 or 500 or 502 or 503 or 504 => new ResponseClass(ResponseKind.Transient, RetryAfter(response, now)),
            _ => new ResponseClass(ResponseKind.Failed),
        };
    }

    /// <summary>Retry-After as delta-seconds ("7", Shopify's "2.0") or an HTTP date (RFC 9110 §10.2.3); null when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (header.Date is { } date)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        // Shopify sends fractional seconds ("2.0"), which the typed header parser rejects.
        if (response.Headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }

    /// <summary>The first few hundred characters of an error body, enough to say what the channel complained about.</summary>
    public static string Excerpt(string body)
    {
        var text = (body ?? string.Empty).ReplaceLineEndings(" ").Trim();
        return text.Length <= 300 ? text : text[..300] + "...";
    }

    private async ValueTask<bool> ShouldRetryAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var verdict = await ClassifyAsync(response, cancellationToken);
        return verdict.Kind switch
        {
            // A wait longer than a poll should block is left to the scheduler (ChannelRateLimitedException).
            ResponseKind.Throttled or ResponseKind.Transient => verdict.RetryAfter is not { } wait || wait <= _options.MaxInlineWait,
            _ => false,
        };
    }

    private async ValueTask<ResponseClass> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (_options.Classify is { } classify)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return await classify(response, cancellationToken);
        }

        return ClassifyByStatus(response, _time.GetUtcNow());
    }
}

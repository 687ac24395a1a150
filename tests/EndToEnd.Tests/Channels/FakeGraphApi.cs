namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>
/// A local stand-in for Meta's Graph API on a loopback port: the ad account answers to <see cref="GoodToken"/> only (any
/// other token gets Graph's error 190, "Invalid OAuth access token"), and its insights report one campaign's spend yesterday
/// (inside "last 30 days", which, like every history period, ends at the start of today).
/// </summary>
public sealed class FakeGraphApi : IAsyncDisposable
{
    public const string GoodToken = "EAAB-e2e-good-token";
    public const string AccountId = "1234567890";
    public const string AccountName = "E2E Ads";
    public const decimal SpendYesterday = 12.34m;

    private readonly LocalJsonServer server = new(Answer);

    public Uri BaseAddress => server.BaseAddress;

    private static LocalAnswer Answer(LocalRequest request)
    {
        if (request.Header("Authorization") != $"Bearer {GoodToken}")
        {
            return new(400, """{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"e2e"}}""");
        }

        var path = request.Path;
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        if (path.EndsWith($"/act_{AccountId}/insights", StringComparison.Ordinal))
        {
            return new(200, $$"""{"data":[{"campaign_id":"c-1","campaign_name":"Black Friday","spend":"{{SpendYesterday.ToString(System.Globalization.CultureInfo.InvariantCulture)}}","clicks":"40","impressions":"1000","account_currency":"USD","date_start":"{{yesterday}}","date_stop":"{{yesterday}}"}]}""");
        }

        return path.EndsWith($"/act_{AccountId}", StringComparison.Ordinal)
            ? new(200, $$"""{"id":"act_{{AccountId}}","name":"{{AccountName}}","currency":"USD"}""")
            : new(404, """{"error":{"message":"Unknown path","type":"GraphMethodException","code":100}}""");
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}

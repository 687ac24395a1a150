using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Metrics;

namespace SalesDash.Web.Alerts;

/// <summary>
/// Why a rule cannot be evaluated now: its store is gone, the channel it watches is not connected to any store it
/// watches, or the custom metric it was written for was deleted. Worked out each time rules are read, so a channel
/// disconnected a moment ago shows at once on the rule and at the top of the Alerts page.
/// </summary>
public sealed class AlertRuleHealth(IStoreDirectory stores, IChannelConnectionStore connections, ICustomMetricStore metrics)
{
    /// <summary>The reason for each rule of <paramref name="rules"/> that cannot be evaluated, by rule id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ProblemsAsync(string tenantId, IReadOnlyList<AlertRule> rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rules.Count == 0)
        {
            return problems;
        }

        var profiles = await stores.ListAsync(tenantId, cancellationToken);
        var connected = new Dictionary<string, HashSet<SalesChannel>>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            // A store's own channel delivers by webhook; any other channel counts while its connection is enabled.
            var channels = new HashSet<SalesChannel> { profile.Channel };
            foreach (var connection in await connections.ListAsync(profile.Store, cancellationToken))
            {
                if (connection.Enabled)
                {
                    channels.Add(connection.Channel);
                }
            }

            connected[profile.Store.StoreId] = channels;
        }

        var customMetrics = rules.Any(r => r.CustomMetric is not null)
            ? (await metrics.ListAsync(tenantId, cancellationToken)).Select(m => m.Id).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (Problem(rule, connected, customMetrics) is { } reason)
            {
                problems[rule.Id] = reason;
            }
        }

        return problems;
    }

    private static string? Problem(AlertRule rule, IReadOnlyDictionary<string, HashSet<SalesChannel>> connected, IReadOnlySet<string> customMetrics)
    {
        if (rule.StoreId is { } storeId && !connected.ContainsKey(storeId))
        {
            return $"The store '{storeId}' no longer exists.";
        }

        if (rule.CustomMetric is { } metric && !customMetrics.Contains(metric.Id))
        {
            return $"The custom metric '{metric.Name}' it watches was deleted.";
        }

        if (rule.Channel is { } channel)
        {
            IEnumerable<string> watched = rule.StoreId is { } one ? [one] : connected.Keys;
            if (!watched.Any(s => connected[s].Contains(channel)))
            {
                return rule.StoreId is { } only
                    ? $"{channel} is not connected to '{only}': connect it again on the Channels page, or change the rule's channel."
                    : $"{channel} is not connected to any store: connect it on the Channels page, or change the rule's channel.";
            }
        }

        return null;
    }
}

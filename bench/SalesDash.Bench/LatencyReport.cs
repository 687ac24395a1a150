namespace SalesDash.Bench;

/// <summary>Event-to-tile latencies: for each accepted POST, the time from sending it to the first push covering it.</summary>
public static class LatencyReport
{
    /// <summary>
    /// Latency of each accepted event in seconds, or null where no push covered it. Conservative: with concurrent
    /// POSTs the exact position of an event among those applied is unknown, so the bound from
    /// <see cref="PostResult.SentBeforeResponse"/> is used, which can only make a latency longer, never shorter.
    /// </summary>
    public static double?[] EventToTile(IReadOnlyList<PostResult> posts, long baselineEventsApplied, IReadOnlyList<TileObservation> pushes, long timestampFrequency)
    {
        var latencies = new double?[posts.Count];
        for (var i = 0; i < posts.Count; i++)
        {
            var post = posts[i];
            if (!post.Accepted)
            {
                continue;
            }

            var needed = baselineEventsApplied + post.SentBeforeResponse;
            foreach (var push in pushes)
            {
                if (push.Timestamp >= post.SentAt && push.EventsApplied >= needed)
                {
                    latencies[i] = (push.Timestamp - post.SentAt) / (double)timestampFrequency;
                    break;
                }
            }
        }

        return latencies;
    }

    /// <summary>Nearest-rank percentile of values sorted ascending.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

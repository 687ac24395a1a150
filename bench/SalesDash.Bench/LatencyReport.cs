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

    /// <summary>
    /// The same latencies with a second bound beside the first, taking whichever push comes first: a push whose tiles the
    /// entity computed (<see cref="TileObservation.AsOf"/>) after this POST's answer arrived covers the event, because
    /// the embedded ingest folds an event before it answers. Unlike the first bound it does not wait for events sent
    /// later, so one slow POST does not lengthen the figure of every POST answered during it. Only for the embedded
    /// ingest: in Kafka mode a 200 means produced, not folded. Also gives, per event, the part after the answer.
    /// </summary>
    public static (double? FromSent, double? FromAnswer)[] EventToTileEitherBound(
        IReadOnlyList<PostResult> posts, long baselineEventsApplied, IReadOnlyList<TileObservation> pushes, long timestampFrequency)
    {
        var latencies = new (double?, double?)[posts.Count];
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
                if (push.Timestamp >= post.SentAt && (push.EventsApplied >= needed || push.AsOf >= post.AnsweredAtUtc))
                {
                    latencies[i] = ((push.Timestamp - post.SentAt) / (double)timestampFrequency, Math.Max(0, push.Timestamp - post.RespondedAt) / (double)timestampFrequency);
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

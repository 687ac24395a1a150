using System.Threading.Channels;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>What a test's screen was pushed: the events applied of each tile set, in the order received.</summary>
internal static class TilePushes
{
    /// <summary>Reads pushes until one covers <paramref name="eventsApplied"/>; fails the test if none does within a minute.</summary>
    public static async Task SeenAsync(ChannelReader<long> pushes, long eventsApplied)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        while (await pushes.ReadAsync(deadline.Token) < eventsApplied)
        {
        }
    }
}

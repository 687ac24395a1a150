using SalesDash.Web.Hubs;

namespace SalesDash.Web.Tests.Hubs;

/// <summary>
/// Each screen's pace, as pure state: a change after a rest goes out at once, a burst within the rest reaches the screen
/// as its newest update only, and a screen whose write has not completed holds back nobody else.
/// </summary>
public sealed class ScreenPacerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Rest = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void The_first_update_and_one_after_a_quiet_rest_are_written_at_once()
    {
        var pacer = Pacer("tv", "laptop");

        Assert.Equal(["laptop", "tv"], pacer.Offer("u1", T0, Rest).Order());

        // Quiet for longer than the rest: the next change does not wait for any timer.
        Assert.Equal(["laptop", "tv"], pacer.Offer("u2", T0 + Rest + TimeSpan.FromSeconds(5), Rest).Order());
        Assert.Null(pacer.NextDue(Rest));
    }

    [Fact]
    public void A_burst_within_the_rest_reaches_each_screen_as_its_newest_update_only()
    {
        var pacer = Pacer("tv", "laptop");
        pacer.Offer("u1", T0, Rest);

        for (var i = 2; i <= 6; i++)
        {
            Assert.Empty(pacer.Offer($"u{i}", T0 + TimeSpan.FromMilliseconds(20 * i), Rest));
        }

        Assert.Equal(T0 + Rest, pacer.NextDue(Rest));
        Assert.Empty(pacer.Due(T0 + Rest - TimeSpan.FromMilliseconds(1), Rest));
        var due = pacer.Due(T0 + Rest, Rest);
        Assert.Equal([("laptop", "u6"), ("tv", "u6")], due.Order());

        // Nothing older follows the newest: nothing is pending any more, and a later due check writes nothing.
        Assert.Null(pacer.NextDue(Rest));
        Assert.Empty(pacer.Due(T0 + Rest * 4, Rest));
    }

    [Fact]
    public void A_screen_whose_write_has_not_completed_holds_back_only_itself_and_then_gets_the_newest()
    {
        var pacer = Pacer("tv", "laptop");
        pacer.Offer("u1", T0, Rest);
        pacer.Writing("tv");

        // The laptop keeps its pace; the frozen TV keeps only the newest update, not the ones between.
        var later = T0 + Rest;
        Assert.Equal(["laptop"], pacer.Offer("u2", later, Rest));
        Assert.Equal(["laptop"], pacer.Offer("u3", later + Rest, Rest));
        Assert.Empty(pacer.Due(later + Rest, Rest));
        Assert.Null(pacer.NextDue(Rest));

        // Its write completes: it has rested long enough and gets the newest at once.
        Assert.Equal("u3", pacer.Completed("tv", later + Rest, Rest));
        Assert.Null(pacer.Completed("tv", later + Rest, Rest));
    }

    [Fact]
    public void A_write_completing_within_the_rest_leaves_the_newest_pending_until_the_rest_is_over()
    {
        var pacer = Pacer("tv");
        pacer.Offer("u1", T0, Rest);
        pacer.Writing("tv");
        pacer.Offer("u2", T0 + TimeSpan.FromMilliseconds(10), Rest);

        Assert.Null(pacer.Completed("tv", T0 + TimeSpan.FromMilliseconds(50), Rest));
        Assert.Equal(T0 + Rest, pacer.NextDue(Rest));
        Assert.Equal([("tv", "u2")], pacer.Due(T0 + Rest, Rest));
    }

    [Fact]
    public void With_no_rest_every_update_is_written_to_every_screen_that_is_not_busy()
    {
        var pacer = Pacer("tv", "laptop");
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(["laptop", "tv"], pacer.Offer($"u{i}", T0, TimeSpan.Zero).Order());
        }

        pacer.Writing("tv");
        Assert.Equal(["laptop"], pacer.Offer("u4", T0, TimeSpan.Zero));
        Assert.Equal("u4", pacer.Completed("tv", T0, TimeSpan.Zero));
    }

    [Fact]
    public void A_removed_screen_is_neither_written_nor_waited_for()
    {
        var pacer = Pacer("tv", "laptop");
        pacer.Offer("u1", T0, Rest);
        pacer.Offer("u2", T0 + TimeSpan.FromMilliseconds(10), Rest);
        Assert.True(pacer.Remove("tv"));

        Assert.Equal([("laptop", "u2")], pacer.Due(T0 + Rest, Rest));
        Assert.Null(pacer.Completed("tv", T0 + Rest, Rest));
        Assert.Equal(1, pacer.Count);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(500, 0)] // 62 ms: below the entity's own 100 ms, so no rest at all
    [InlineData(800, 100)]
    [InlineData(2000, 250)]
    [InlineData(8000, 1000)]
    [InlineData(100_000, 1000)] // however many screens, at least one push a second each
    public void A_screen_rests_for_its_share_of_the_nodes_pushes(int screens, int expectedMs)
    {
        var options = new ScreenPushOptions();

        Assert.Equal(expectedMs, (int)options.IntervalFor(screens).TotalMilliseconds);
    }

    private static ScreenPacer<string> Pacer(params string[] screens)
    {
        var pacer = new ScreenPacer<string>();
        foreach (var screen in screens)
        {
            Assert.True(pacer.Add(screen));
        }

        return pacer;
    }
}

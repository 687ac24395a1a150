using SalesDash.Engine.Quarantine;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class QuarantineBookTests
{
    private static readonly DateTimeOffset At = Utc(2026, 6, 10, 9, 0);

    private static QuarantinedEvent Entry(string id, string eventId) =>
        new(id, Placed("o-" + id, At, 1m, eventId: eventId), "lines[0].quantity", "too many", At);

    [Fact]
    public void Entries_are_held_once_in_arrival_order_and_found_by_id_or_event_id()
    {
        var book = new QuarantineBook();

        Assert.True(book.Add(Entry("j2", "e2")));
        Assert.True(book.Add(Entry("q1", "e1")));
        Assert.False(book.Add(Entry("j2", "e2")));

        Assert.Equal(["j2", "q1"], book.Entries.Select(e => e.Id));
        Assert.Equal("q1", book.FindByEventId("e1")?.Id);
        Assert.Null(book.FindByEventId("e3"));
    }

    [Fact]
    public void Take_removes_the_entry_and_explain_replaces_its_reason()
    {
        var book = QuarantineBook.From([Entry("j2", "e2"), Entry("j5", "e5")]);

        book.Explain("j5", "occurredAt", "still in the future");
        var taken = book.Take("j2");

        Assert.Equal("j2", taken?.Id);
        Assert.Null(book.Take("j2"));
        var left = Assert.Single(book.Entries);
        Assert.Equal(("occurredAt", "still in the future"), (left.Field, left.Reason));
        Assert.Equal(0, QuarantineBook.From(null).Count);
    }
}

using Microsoft.Extensions.DependencyInjection;
using ReleaseBoard.Tests.Support;
using ReleaseBoard.Web.Features.Access;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Promotion;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Tests.Infrastructure;

/// <summary>
/// Reactions and watches are found by interface, so a host that forgot a feature's setup would silently have none:
/// the app must have the pause on failure and the revocation watch.
/// </summary>
public class CompositionTests
{
    [Fact]
    public async Task The_app_reacts_to_opened_failures_and_watches_revocations()
    {
        await using var app = new ReleaseBoardAppFactory();

        Assert.Contains(app.Services.GetServices<IIncidentOpenedReaction>(), r => r is PauseOnIncident);
        Assert.Contains(app.Services.GetServices<IStoredChangeWatch>(), w => w is AccessRevocation);
    }
}

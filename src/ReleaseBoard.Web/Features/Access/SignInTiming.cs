using Microsoft.AspNetCore.Identity;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// Identity refuses an unknown or locked account before it hashes a password, so such a refusal answers faster than
/// a wrong password would: the time taken would tell which accounts exist. This hashes one anyway in those cases.
/// </summary>
public sealed class SignInTiming(IPasswordHasher<ReleaseBoardUser> hasher)
{
    private static readonly ReleaseBoardUser Nobody = new() { UserName = "nobody" };

    // Made with the default hasher, as the app's is: verifying it costs what verifying a real account's hash does.
    private static readonly Lazy<string> SomeHash = new(() =>
        new PasswordHasher<ReleaseBoardUser>().HashPassword(Nobody, Guid.NewGuid().ToString())
    );

    public async Task CostAsMuchAsAPasswordAsync(UserManager<ReleaseBoardUser> users, string email, string password)
    {
        var user = await users.FindByNameAsync(email);
        if (user is null || await users.IsLockedOutAsync(user))
            hasher.VerifyHashedPassword(Nobody, SomeHash.Value, password);
    }
}

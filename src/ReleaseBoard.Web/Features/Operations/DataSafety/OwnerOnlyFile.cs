namespace ReleaseBoard.Web.Features.Operations.DataSafety;

/// <summary>
/// Exports and backups hold password hashes, key hashes and the Data Protection keys: they are created readable and
/// writable by their owner only (0600), whatever the umask, never widened afterwards.
/// </summary>
public static class OwnerOnlyFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A new file (never an existing one) open for writing.</summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = Mode;
        return new FileStream(path, options);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class SsoIdentityConfiguration : IEntityTypeConfiguration<SsoIdentity>
{
    public void Configure(EntityTypeBuilder<SsoIdentity> builder)
    {
        builder.ToTable("SsoIdentities");
        builder.Property(i => i.Issuer).HasMaxLength(200);
        builder.Property(i => i.Subject).HasMaxLength(200);
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.Name).HasMaxLength(200);
        builder.HasIndex(i => new { i.Issuer, i.Subject }).IsUnique();
        builder
            .HasOne(i => i.LinkedUser)
            .WithMany()
            .HasForeignKey(i => i.LinkedUserId)
            .OnDelete(DeleteBehavior.SetNull);
    }
}

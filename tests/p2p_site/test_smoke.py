from vendors.selectors import vendor_list


def test_vendor_created_by_clerk_is_listed_with_its_audit_entry(vendor):
    from audit.selectors import audit_history

    page = vendor_list()
    assert [v.name for v in page.items] == ["Acme Supplies GmbH"]
    history = audit_history(entity_type="vendor", entity_id=vendor.id)
    assert [(e.action, e.user_id) for e in history.items] == [("CREATE", "clerk")]

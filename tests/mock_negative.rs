//! For every API: recordings made without credentials answer only requests without them, and
//! recordings made with credentials answer only requests that carry them (no positive recording
//! is shadowed by a negative one).

mod mock_support;

use mock_support::{recordings, replay, Mock};

const APIS: [&str; 5] = ["kimai", "mindbody", "perfectgym", "timetap", "trackops"];

#[test]
fn negative_recordings_are_reached_only_without_credentials() {
    for api in APIS {
        let entries = recordings(api);
        let mock = Mock::start(api, &["--strict"]);
        let replayable =
            |e: &&conform::mock::load::Loaded| !e.flow && e.interaction.request.sha256.is_none();
        let negatives: Vec<_> = entries
            .iter()
            .filter(|e| !e.authed)
            .filter(replayable)
            .collect();
        // PerfectGym's suite has no case without credentials; every other API has some.
        assert_eq!(negatives.is_empty(), api == "perfectgym", "{api}");
        for e in &negatives {
            let bare = mock.send(replay(&mock, api, e, "", false));
            let (how, id) = bare
                .matched()
                .unwrap_or_else(|| panic!("{}: {:?}", e.id(), bare.json()));
            let served = entries.iter().find(|x| x.id() == id).unwrap();
            assert_eq!(how, "exact");
            assert!(
                !served.authed,
                "{} answered by {id}, made with credentials",
                e.id()
            );
            assert_eq!(bare.status, served.interaction.response.status);
            let with = mock.send(replay(&mock, api, e, "", true));
            if let Some((_, id)) = with.matched() {
                let served = entries.iter().find(|x| x.id() == id).unwrap();
                assert!(
                    served.authed,
                    "{api}: credentials got {id}, made without them"
                );
            } else {
                assert_eq!(with.status, 404, "{}", e.id());
            }
        }
        let positives: Vec<_> = entries
            .iter()
            .filter(|e| e.authed)
            .filter(replayable)
            .collect();
        for e in positives {
            let with = mock.send(replay(&mock, api, e, "", true));
            let (_, id) = with
                .matched()
                .unwrap_or_else(|| panic!("{}: {:?}", e.id(), with.json()));
            let served = entries.iter().find(|x| x.id() == id).unwrap();
            assert!(
                served.authed,
                "{} shadowed by {id}, made without credentials",
                e.id()
            );
            assert_eq!(
                served.interaction.request,
                e.interaction.request,
                "{}",
                e.id()
            );
        }
    }
}
